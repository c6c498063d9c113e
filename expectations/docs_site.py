"""The Data Docs site as GX builds it, but readable without internet.

GX's page templates load Bootstrap, jQuery, bootstrap-table, Font Awesome, Vega and the logo from public
networks. The views below render GX's pages with the project's templates first (`data_docs_templates/`),
which load the same libraries, in the same versions, from the site's own `static/vendor/` folder; the site
builder copies the project's `static/` folder (vendored libraries, GX's styles without the remote logo)
into the site after GX copied its own.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from great_expectations.render.renderer.site_builder import SiteBuilder
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "data_docs_templates"
STATIC_DIR = PACKAGE_DIR / "static"
NOT_COPIED = frozenset({"README.md"})
MODULE = __name__
SECONDS_PER_DAY = 86_400


def project_templates_first(loader: BaseLoader | None) -> ChoiceLoader:
    """A template loader that finds the project's templates and styles before GX's own."""
    project = FileSystemLoader([str(TEMPLATES_DIR), str(STATIC_DIR / "styles")])
    return ChoiceLoader([project, loader] if loader else [project])


class OfflinePageView(DefaultJinjaPageView):
    """GX's page view (suites, validation results) with assets loaded from the site itself."""

    def __init__(self, custom_styles_directory: str | None = None, custom_views_directory: str | None = None):
        super().__init__(custom_styles_directory, custom_views_directory)
        self.env.loader = project_templates_first(self.env.loader)


class OfflineIndexPageView(DefaultJinjaIndexPageView):
    """GX's index page view with assets loaded from the site itself."""

    def __init__(self, custom_styles_directory: str | None = None, custom_views_directory: str | None = None):
        super().__init__(custom_styles_directory, custom_views_directory)
        self.env.loader = project_templates_first(self.env.loader)


def project_assets() -> list[Path]:
    """The files of the project's `static/` folder that the site needs, in a stable order."""
    return sorted(
        path for path in STATIC_DIR.rglob("*") if path.is_file() and path.name not in NOT_COPIED
    )


def copy_project_assets(target_store: Any) -> None:
    """Write the project's static files into the site's `static/` folder, over GX's files of the same name."""
    backend = target_store.store_backends["static_assets"]
    for path in project_assets():
        backend.set(("static", *path.relative_to(STATIC_DIR).parts), path.read_bytes())


class OfflineSiteBuilder(SiteBuilder):
    """GX's site builder that also ships the project's static assets with the site."""

    def build(self, resource_identifiers: list[Any] | None = None, build_index: bool = True) -> Any:
        """Build the pages and the index as GX does, then copy the project's assets into the site."""
        built = super().build(resource_identifiers=resource_identifiers, build_index=build_index)
        copy_project_assets(self.target_store)
        return built


def prune_validation_pages(directory: Path, keep_days: int, now: float | None = None) -> list[Path]:
    """Delete the validation pages of the site written more than `keep_days` ago, except the newest page of
    each suite (its results may still hold); empty folders go too. Returns the pages deleted.

    GX files a page as `validations/<suite>/<run name>/<run time>/<batch>.html`; the index lists what is left.
    """
    validations = directory / "validations"
    cutoff = (time.time() if now is None else now) - keep_days * SECONDS_PER_DAY
    pages = sorted(validations.glob("**/*.html"))
    newest: dict[Path, Path] = {}
    for page in pages:
        suite = page.parents[2]
        if suite not in newest or page.parent.name > newest[suite].parent.name:
            newest[suite] = page
    keep = set(newest.values())
    pruned = [page for page in pages if page not in keep and page.stat().st_mtime < cutoff]
    for page in pruned:
        page.unlink()
        for folder in (page.parent, page.parents[1]):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    return pruned


def class_config(cls: type) -> dict[str, str]:
    """The GX configuration naming one of the classes above."""
    return {"module_name": MODULE, "class_name": cls.__name__}
