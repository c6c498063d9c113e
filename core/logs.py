"""The project's Python loggers, all under one name: `egov_sync`, the logger the Dagster instance routes into
each run's event log (`python_logs` in `deploy/dagster.yaml`)."""

from __future__ import annotations

import logging

PROJECT_LOGGER = "egov_sync"


def project_logger(part: str) -> logging.Logger:
    """The logger `egov_sync.<part>` (e.g. `http`, `alerts`), a child of the project logger."""
    return logging.getLogger(f"{PROJECT_LOGGER}.{part}")
