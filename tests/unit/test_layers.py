"""Layers import downward only: pipelines → assets → (expectations, reports) → (ingest, transform) →
resources → core."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.import_scan import imports_within, python_files

ROOT = Path(__file__).resolve().parents[2]
LAYER_OF = {
    "core": 0,
    "resources": 1,
    "ingest": 2,
    "transform": 2,
    "expectations": 3,
    "reports": 3,
    "assets": 4,
    "pipelines": 5,
}
PRODUCT = tuple(LAYER_OF)


def allowed(importer: str, imported: str) -> bool:
    """A package may import its own modules and those of lower layers; packages of one layer are separate."""
    if importer == imported:
        return True
    return LAYER_OF[imported] < LAYER_OF[importer]


def violations(package: str) -> list[str]:
    """`file: module` for every import of `package`'s files that goes up or sideways."""
    found = []
    for path in python_files(ROOT / package):
        for module in imports_within(path, ROOT, PRODUCT):
            if not allowed(package, module.split(".")[0]):
                found.append(f"{path.relative_to(ROOT)}: {module}")
    return found


@pytest.mark.parametrize("package", PRODUCT)
def test_each_layer_imports_only_lower_layers(package: str) -> None:
    assert violations(package) == []


def test_the_rule_itself_refuses_upward_and_sideways_imports() -> None:
    assert not allowed("resources", "ingest")
    assert not allowed("ingest", "expectations") and not allowed("ingest", "transform")
    assert not allowed("assets", "pipelines")
    assert allowed("pipelines", "core") and allowed("transform", "resources")


def test_the_simulator_imports_no_product_layer() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in python_files(ROOT / "simulator")
        for module in imports_within(path, ROOT, PRODUCT)
    ]
    assert offenders == []
