"""The test oracle does not import the product; neither the product nor the simulator imports tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.import_scan import imported_modules, imports_within, python_files

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = ("core", "resources", "ingest", "expectations", "transform", "assets", "pipelines")
ORACLE_DIR = ROOT / "tests" / "oracle"


def test_the_oracle_is_a_package() -> None:
    assert (ORACLE_DIR / "__init__.py").is_file()
    assert {"expected.py", "planted.py"} <= {p.name for p in ORACLE_DIR.glob("*.py")}


@pytest.mark.parametrize("path", python_files(ORACLE_DIR), ids=lambda p: p.name)
def test_the_oracle_does_not_import_the_product(path: Path) -> None:
    assert imports_within(path, ROOT, PRODUCT_PACKAGES) == []


@pytest.mark.parametrize("folder", [*PRODUCT_PACKAGES, "simulator"])
def test_product_and_simulator_do_not_import_tests(folder: str) -> None:
    found = {p.relative_to(ROOT).as_posix(): imports_within(p, ROOT, ("tests",))
             for p in python_files(ROOT / folder)}
    assert {path: modules for path, modules in found.items() if modules} == {}


def test_imports_are_found_at_any_depth_and_relative_ones_resolved(tmp_path: Path) -> None:
    module = tmp_path / "tests" / "oracle" / "example.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "import json\nfrom . import facts\nfrom .model import Model\nfrom .. import pg\n\n"
        "def late():\n    from ingest.text import clean\n",
        encoding="utf-8",
    )
    assert imported_modules(module, tmp_path) == {"json", "tests.oracle", "tests.oracle.model", "tests",
                                                  "ingest.text"}
    assert imports_within(module, tmp_path, PRODUCT_PACKAGES) == ["ingest.text"]
