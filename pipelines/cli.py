"""The ``prp`` command: refresh sources, transform, report, inspect, run the demo."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

from dlt.common.configuration.exceptions import ConfigurationException as DltConfigurationException

from pipelines.runtime import job_summary
from pipelines.runtime.errors import ConfigurationError, PipelineError
from pipelines.runtime.garbage import collect_garbage_less_often
from pipelines.runtime.interrupts import (
    EXIT_TERMINATED,
    RESUME_LINE,
    configuration_error,
    exit_code_for,
    sigterm_interrupts,
)
from pipelines.runtime.known_failures import explain_failure
from pipelines.runtime.logs import setup_logging
from pipelines.sources import names, spec_of, specs

log = logging.getLogger("prp.cli")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def cmd_refresh(args: argparse.Namespace) -> None:
    chosen = names() if args.source == "all" else [args.source]
    if args.since and args.until and args.since > args.until:
        raise ConfigurationError(f"--since {args.since} is after --until {args.until}")
    from pipelines.commands.refresh_all import refresh_sources

    # `all` tries every source and reports each; one source fails as it always has
    refresh_sources(chosen, is_incremental=False if args.full_refresh else None,
                    initial_date=args.since, end_date=args.until)


def cmd_transform(args: argparse.Namespace) -> None:
    from pipelines.runtime.settings import load_settings
    from pipelines.transform import run_dbt

    settings = load_settings()  # run_dbt names a locked or damaged warehouse before dbt starts
    # `prp transform build --force` as well as `prp transform --force [build]`
    force = args.force or "--force" in args.dbt_args
    summary = run_dbt(args.command, *[a for a in args.dbt_args if a != "--force"],
                      settings=settings, force=force)
    if summary is not None:
        from pipelines.report.job_summary import write_transform

        write_transform(summary, settings)  # only in GitHub Actions (it checks)


def cmd_report(args: argparse.Namespace) -> None:
    from pipelines.report import build_report
    from pipelines.report.docs import write_dbt_docs
    from pipelines.runtime.settings import load_settings
    from pipelines.runtime.warehouse_check import check_whole

    settings = load_settings()
    check_whole(settings)  # the marts may read fine from a file damaged elsewhere
    if args.docs:
        write_dbt_docs(args.output, settings)
    print(f"Report: {build_report(args.output, settings=settings)}")


def cmd_review(args: argparse.Namespace) -> None:
    from pipelines.commands.review import run_review

    run_review(send=args.send, force=args.force, week=args.week)


def cmd_doctor(args: argparse.Namespace) -> None:
    from pipelines.commands.doctor import doctor

    doctor()


def cmd_status(args: argparse.Namespace) -> None:
    from pipelines.commands.status import print_status

    print_status()


def cmd_privacy(args: argparse.Namespace) -> None:
    from pipelines.commands.privacy import print_privacy

    print_privacy()


def cmd_demo(args: argparse.Namespace) -> None:
    from pipelines.commands.demo import run_demo

    run_demo(profile=args.profile)


def cmd_auth(args: argparse.Namespace) -> None:
    from pipelines.runtime.secrets_source import use_configured_secrets

    authorize = spec_of(args.provider).authorize
    assert authorize is not None  # argparse offers only the sources that have one
    use_configured_secrets()  # the client id and secret may live in Secret Manager, as for a refresh
    authorize(open_browser=not args.no_browser, timeout=args.timeout)


def cmd_sandbox(args: argparse.Namespace) -> None:
    from pipelines.commands.demo import serve_sandbox

    serve_sandbox(profile=args.profile, seed=args.seed, faults=args.faults)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prp", description=__doc__)
    sub = parser.add_subparsers(dest="command_name", required=True)

    refresh = sub.add_parser("refresh", help="extract and load one source (or all)")
    refresh.add_argument("source", choices=[*names(), "all"])
    refresh.add_argument("--full-refresh", action="store_true",
                         help="reload everything from initial_date, replacing the tables")
    refresh.add_argument("--since", type=_date, help="start date (YYYY-MM-DD)")
    refresh.add_argument("--until", type=_date, help="end date (YYYY-MM-DD)")
    refresh.set_defaults(func=cmd_refresh)

    transform = sub.add_parser("transform", help="run dbt (build by default) on the warehouse")
    transform.add_argument("--force", action="store_true",
                           help="build even when nothing changed since the last build")
    transform.add_argument("command", nargs="?", default="build")
    transform.add_argument("dbt_args", nargs=argparse.REMAINDER)
    transform.set_defaults(func=cmd_transform)

    report = sub.add_parser("report", help="write the HTML report from the marts (data/report/index.html)")
    report.add_argument("--output", type=Path, help="the HTML file to write (default data/report/index.html)")
    report.add_argument("--docs", action="store_true", help="also write the dbt docs site next to it (docs/)")
    report.set_defaults(func=cmd_report)

    review = sub.add_parser("review", help="the review of the last completed week from the marts "
                            "(data/report/review-<ISO week>.md), e-mailed with --send")
    review.add_argument("--send", action="store_true", help="e-mail it when e-mail is configured, "
                        "once per week")
    review.add_argument("--force", action="store_true", help="send even if this week's went out already")
    review.add_argument("--week", help="another completed week, as 2026-W23")
    review.set_defaults(func=cmd_review)

    status = sub.add_parser("status", help="last run, cursors and row counts per table")
    status.set_defaults(func=cmd_status)

    doctor = sub.add_parser("doctor", help="check every secret, scope and dataset `make run` needs")
    doctor.set_defaults(func=cmd_doctor)

    privacy = sub.add_parser("privacy", help="what leaves for the destination: treatment per column")
    privacy.set_defaults(func=cmd_privacy)

    demo = sub.add_parser("demo", help="sandbox -> pipelines -> dbt, no credentials needed")
    demo.add_argument("--profile", default="demo", choices=["small", "demo", "heavy"])
    demo.set_defaults(func=cmd_demo)

    auth = sub.add_parser("auth", help="authorise access to an API (OAuth) and store the token")
    auth.add_argument("provider", choices=[spec.name for spec in specs() if spec.authorize])
    auth.add_argument("--no-browser", action="store_true", help="only print the URL to open")
    auth.add_argument("--timeout", type=float, default=300.0,
                      help="seconds to wait for the browser's redirect")
    auth.set_defaults(func=cmd_auth)

    sandbox = sub.add_parser("sandbox", help="the local API stand-ins")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", required=True)
    serve = sandbox_sub.add_parser("serve", help="serve the stand-ins until Ctrl-C")
    serve.add_argument("--profile", default="demo", choices=["small", "demo", "heavy"])
    serve.add_argument("--seed", type=int, default=7)
    serve.add_argument("--faults", action="append", metavar="API:KIND[:COUNT[:PATH[:RETRY_AFTER]]]",
                       help="inject a fault before serving, e.g. <api>:rate_limit:8:/search "
                            "(repeatable; kinds: rate_limit, server_error, drop, malformed, slow)")
    serve.set_defaults(func=cmd_sandbox)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 run failed, 2 bad configuration/usage)."""
    collect_garbage_less_often()
    setup_logging()
    try:  # the sources' registry reads [prp] extra_sources: a malformed settings file fails here
        try:
            parser = build_parser()
        except DltConfigurationException as exc:
            raise configuration_error(exc) from None
    except ConfigurationError as exc:
        log.error("configuration problem: %s", exc)
        job_summary.write_failure("prp", exc)
        return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        with sigterm_interrupts():
            try:
                args.func(args)
            except DltConfigurationException as exc:
                raise configuration_error(exc) from None
    except ConfigurationError as exc:
        log.error("configuration problem: %s", exc)
        job_summary.write_failure(f"prp {args.command_name}", exc)
        return 2
    except PipelineError as exc:
        log.debug("the failure in full", exc_info=exc)  # the traceback at debug level only
        log.error("run failed: %s", exc)
        job_summary.write_failure(f"prp {args.command_name}", exc)
        return 1
    except KeyboardInterrupt as exc:
        log.error("%s: %s", "terminated" if exit_code_for(exc) == EXIT_TERMINATED else "interrupted",
                  RESUME_LINE)
        return exit_code_for(exc)
    except Exception as exc:
        known = explain_failure(exc, f"prp {args.command_name}")  # a full disk, a damaged warehouse
        if known is None:
            raise
        log.debug("the failure in full", exc_info=exc)
        log.error("run failed: %s", known)
        job_summary.write_failure(f"prp {args.command_name}", known)
        return known.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
