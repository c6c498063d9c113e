"""Run config a UI user may set, and what it may not carry.

Dagster lets any string field of a run's config take `{env: ANY_VARIABLE}`. A value holding a secret
variable's value would end up in a filed report, a file name or an error message, so such config is
refused (without showing the value).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from core.environment import secret_values

SHORTEST_SECRET = 8


def texts_of(value: object) -> list[str]:
    """The strings in a config value (a string, or a list of them)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def refuse_secret_values(config: dg.Config) -> None:
    """Fail when a field of the run's config holds the value of a secret environment variable."""
    secrets = [secret for secret in secret_values() if len(secret) >= SHORTEST_SECRET]
    for name, value in config:
        if any(secret in text for text in texts_of(value) for secret in secrets):
            raise dg.Failure(
                f"the run config's `{name}` holds the value of a secret environment variable; "
                "it is refused (a run's config may not read secrets)"
            )


def folder_inside(base: Path, relative: str) -> Path:
    """`base`/`relative` for a relative path that stays inside `base`; a clear failure otherwise."""
    path = Path(relative)
    if path.is_absolute() or ".." in path.parts:
        raise dg.Failure(f"a folder of the run config must be a relative path inside {base}, without '..'")
    return base / path
