"""The Dagster tooling CI runs beside the tests, run by the tests themselves (CI runs exactly `./dev test`,
which runs ruff first): `dg check defs` loads and validates the code location as dagster-dg-cli does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run_tool(command: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run a console script of this environment at the project root, with a Dagster home of its own."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = os.environ | {"DAGSTER_HOME": str(home), "VIRTUAL_ENV": str(BIN.parent), "NO_COLOR": "1"}
    return subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_dg_check_defs_loads_the_code_location(tmp_path: Path) -> None:
    checked = run_tool(["dg", "check", "defs"], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "All definitions loaded successfully" in checked.stdout + checked.stderr

