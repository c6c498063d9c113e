"""Resource fields only the deployment's environment may set: a run's config cannot re-point them.

Dagster shows a resource's fields in the Launchpad as defaults that a run's config may override, and a
string field accepts `{env: ANY_VARIABLE}`. For the deployed resources that would let anyone who can launch
a run send a secret to another host, land applicants' ID numbers in another database or change the
pseudonymisation key. A pinned field must hold the value of its environment variable (its default when the
variable is unset); otherwise the resource refuses to start, before it reaches any network.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar

import dagster as dg


class PinnedConfigError(RuntimeError):
    """A run's config tried to change a setting that only the deployment's environment may set."""


def field_default(resource: Any, field: str) -> Any:
    """A field's default (its default factory's value for a collection)."""
    return type(resource).model_fields[field].get_default(call_default_factory=True)


def pinned_value(resource: Any, field: str, variable: str) -> Any:
    """What a pinned field must hold: its variable's value, or the field's default when it is unset."""
    value = os.environ.get(variable)
    if value:
        return value
    return field_default(resource, field)


def overridden_fields(resource: Any, pinned: Mapping[str, str]) -> list[str]:
    """The pinned fields whose value is not the one the environment gives them."""
    return [field for field in pinned if getattr(resource, field) != resource.environment_value(field)]


class PinnedToEnvironment:
    """A resource whose `pinned_fields` (field → environment variable) come from the environment only."""

    pinned_fields: ClassVar[Mapping[str, str]] = {}

    def environment_value(self, field: str) -> Any:
        """The value the environment gives a pinned field (a resource whose fields are not plain strings of
        one variable says how it reads them)."""
        return pinned_value(self, field, self.pinned_fields[field])

    def check_pinned(self) -> None:
        """Refuse to start when a run's config changed a pinned field (its value is never shown)."""
        wrong = overridden_fields(self, self.pinned_fields)
        if wrong:
            names = ", ".join(f"`{field}` (from {self.pinned_fields[field]})" for field in wrong)
            raise PinnedConfigError(
                f"{type(self).__name__}: {names} may only be set by the deployment's environment, and this "
                "run's config sets another value. Remove them from the run's resource config and launch "
                "again; nothing was sent anywhere."
            )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Check the pinned fields before the resource does anything else."""
        self.check_pinned()
        super().setup_for_execution(context)  # type: ignore[misc]
