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
