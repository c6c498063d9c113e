"""What a Python file imports, read with `ast` (for tests of the project's import rules)."""

from __future__ import annotations

import ast
from pathlib import Path


def imported_modules(path: Path, root: Path) -> set[str]:
    """Every module a file under `root` imports, at any depth, relative imports resolved to absolute names."""
    package = ".".join(path.relative_to(root).parent.parts)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            found.add(".".join(filter(None, [base, node.module or ""])))
    return found


def imports_within(path: Path, root: Path, packages: tuple[str, ...]) -> list[str]:
    """The modules a file imports that belong to one of `packages`, sorted."""
    return sorted(m for m in imported_modules(path, root) if m.split(".")[0] in packages)


def python_files(*folders: Path) -> list[Path]:
    """The Python files under some folders, sorted."""
    return sorted(p for folder in folders for p in folder.rglob("*.py"))
