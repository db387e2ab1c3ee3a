"""Errors a person can act on, each mapped to the CLI's exit code."""


class PipelineError(Exception):
    """A run failed (exit code 1)."""

    exit_code = 1


class ConfigurationError(PipelineError):
    """Bad configuration, a missing secret or bad usage (exit code 2)."""

    exit_code = 2


def missing_setting_message(section: str, key: str, *, secret: bool = True) -> str:
    """Explain how to provide a missing setting both ways: environment and TOML file."""
    env_name = "__".join(part.upper() for part in section.split(".")) + "__" + key.upper()
    toml_file = ".dlt/secrets.toml" if secret else ".dlt/config.toml"
    return (
        f"missing {'secret' if secret else 'setting'} {section}.{key}: set the environment "
        f"variable {env_name}, or add `{key} = \"...\"` under [{section}] in {toml_file}"
    )


def exception_chain(exc: BaseException | None):
    """``exc`` and what it wraps, outermost first: each ``__cause__``, else ``__context__``, else
    dlt's ``.exception`` (its step wrappers keep the failure there); each exception once."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__ or getattr(exc, "exception", None)
