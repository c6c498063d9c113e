"""The project's Python loggers are all children of `egov_sync`, the logger the deployed instance routes into
each run's event log from INFO."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import yaml

from core.logs import PROJECT_LOGGER, project_logger

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("pipelines", "assets", "expectations", "ingest", "transform", "resources", "core")
GET_LOGGER = re.compile(r"\bgetLogger\(")


def test_loggers_are_made_in_one_place_only() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if path != ROOT / "core" / "logs.py" and GET_LOGGER.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_project_loggers_are_children_of_the_routed_logger() -> None:
    routed = logging.getLogger(PROJECT_LOGGER)
    child = project_logger("alerts")
    assert child.name == "egov_sync.alerts"
    assert child.parent is routed


def test_the_deployed_instance_routes_project_logs_from_info() -> None:
    settings = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text(encoding="utf-8"))
    assert settings["python_logs"]["managed_python_loggers"] == [PROJECT_LOGGER]
    assert settings["python_logs"]["python_log_level"] == "INFO"
