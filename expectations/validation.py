"""Running the suites inside PostgreSQL through a GX SQL data source, and building the Data Docs site.

One ephemeral GX context per process and Data Docs folder (creating it is cheap, importing GX is not);
one data source per warehouse URL. GX sends every metric as SQL to the warehouse: no table is read into
pandas. Each warehouse has two checkpoints, run separately (the integrity one by a blocking check right
after `mart.fact_case`, the other once every judged table is built): `row_rules` over `staging.dq_subject`
and `integrity` over `mart.fact_case`. The Data Docs site is rendered after each, for that run's results.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from core.local_time import LOCAL_TZ_NAME
from core.logs import project_logger
from expectations.rules import FACT_CASE_INTEGRITY, RULES_BY_NAME, SUITES, Rule
from resources.settings import data_docs_dir as published_docs_dir
from resources.settings import data_docs_keep_days, data_docs_url

if TYPE_CHECKING:
    import great_expectations as gx
    from great_expectations.checkpoint.checkpoint import CheckpointResult
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context import AbstractDataContext

log = project_logger("data_docs")
DOCS_SITE = "egov_sync"
ROW_RULES = "row_rules"
INTEGRITY = "integrity"
SAMPLE_SIZE = 20
SESSION_OPTIONS = f"-c timezone={LOCAL_TZ_NAME}"


@dataclass(frozen=True)
class Outcome:
    """The result of one expectation in one validation run."""

    rule: Rule
    success: bool
    element_count: int
    unexpected_count: int
    unexpected_percent: float | None
    sample_keys: tuple[str, ...]


def data_docs_dir() -> Path:
    """Where the Data Docs site is published (`resources.settings.data_docs_dir`)."""
    return published_docs_dir()


def data_docs_site_config(directory: Path) -> dict[str, Any]:
    """A static Data Docs site under `directory` that opens offline, without GX's "how to" buttons."""
    from expectations.docs_site import OfflineIndexPageView, OfflinePageView, OfflineSiteBuilder, class_config

    page = {"view": class_config(OfflinePageView)}
    return {
        **class_config(OfflineSiteBuilder),
        "show_how_to_buttons": False,
        "site_index_builder": {
            "class_name": "DefaultSiteIndexBuilder",
            "view": class_config(OfflineIndexPageView),
        },
        "site_section_builders": {"expectations": page, "validations": page, "profiling": page},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(directory)},
    }


@cache
def gx_context(docs_dir: str) -> AbstractDataContext:
    """The process's ephemeral GX context for one Data Docs folder, holding every suite."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from expectations.suites import build_suites

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    for suite in build_suites():
        context.suites.add(suite)
    context.add_data_docs_site(site_name=DOCS_SITE, site_config=data_docs_site_config(Path(docs_dir)))
    return context


def datasource_name(url: str) -> str:
    """A stable data source name for a warehouse URL that does not reveal it."""
    return "warehouse_" + hashlib.sha256(url.encode()).hexdigest()[:12]


def _batch(source: Any, schema: str, table: str) -> BatchDefinition:
    """The whole-table batch of one warehouse table."""
    asset = source.add_table_asset(name=f"{schema}.{table}", table_name=table, schema_name=schema)
    return asset.add_batch_definition_whole_table("whole_table")


def _checkpoint(
    context: AbstractDataContext, name: str, suites: list[str], batch: BatchDefinition, key_column: str
) -> gx.Checkpoint:
    """A saved checkpoint validating `suites` on `batch`, sampling offenders by `key_column`."""
    import great_expectations as gx

    definitions = [
        context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite}@{name}", data=batch, suite=context.suites.get(suite))
        )
        for suite in suites
    ]
    return context.checkpoints.add(
        gx.Checkpoint(
            name=name,
            validation_definitions=definitions,
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": [key_column],
                "partial_unexpected_count": SAMPLE_SIZE,
            },
        )
    )


@cache
def warehouse_checkpoints(docs_dir: str, url: str) -> dict[str, gx.Checkpoint]:
    """The two checkpoints of one warehouse: `row_rules` and `integrity` (of `mart.fact_case`)."""
    from great_expectations.datasource.fluent.interfaces import GxDatasourceWarning

    from expectations.suites import FACT_CASE_KEY_COLUMN, SUBJECT_KEY_COLUMN

    context = gx_context(docs_dir)
    name = datasource_name(url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GxDatasourceWarning)
        source = context.data_sources.add_sql(
            name=name, connection_string=url, kwargs={"connect_args": {"options": SESSION_OPTIONS}}
        )
    row_suites = [suite for suite in SUITES if suite != FACT_CASE_INTEGRITY]
    row_level = _checkpoint(
        context, f"row_rules@{name}", row_suites, _batch(source, "staging", "dq_subject"), SUBJECT_KEY_COLUMN
    )
    integrity = _checkpoint(
        context, f"integrity@{name}", [FACT_CASE_INTEGRITY], _batch(source, "mart", "fact_case"),
        FACT_CASE_KEY_COLUMN,
    )
    return {ROW_RULES: row_level, INTEGRITY: integrity}


def _sample_keys(result: dict[str, Any]) -> tuple[str, ...]:
    """Offending keys named in a GX result (its partial unexpected index list), nulls left out."""
    from expectations.suites import FACT_CASE_KEY_COLUMN, SUBJECT_KEY_COLUMN

    keys = []
    for entry in result.get("partial_unexpected_index_list") or []:
        value = entry.get(SUBJECT_KEY_COLUMN, entry.get(FACT_CASE_KEY_COLUMN))
        if value is not None and str(value) not in keys:
            keys.append(str(value))
    return tuple(keys)


def outcomes_of(result: CheckpointResult) -> list[Outcome]:
    """One outcome per expectation of a checkpoint run; an expectation that could not run is an error."""
    outcomes = []
    for suite_result in result.run_results.values():
        for item in suite_result.results:
            name = item.expectation_config.meta["name"]
            if item.exception_info and item.exception_info.get("raised_exception"):
                message = item.exception_info.get("exception_message")
                raise RuntimeError(f"expectation {name} could not run: {message}")
            detail = item.result
            outcomes.append(
                Outcome(
                    rule=RULES_BY_NAME[name],
                    success=bool(item.success),
                    element_count=int(detail.get("element_count") or 0),
                    unexpected_count=int(detail.get("unexpected_count") or 0),
                    unexpected_percent=detail.get("unexpected_percent"),
                    sample_keys=_sample_keys(detail),
                )
            )
    return outcomes


def build_data_docs(context: AbstractDataContext, results: list[CheckpointResult]) -> None:
    """Render the suites and the validation results of this run into the Data Docs site, with its index."""
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    identifiers: list[Any] = [ExpectationSuiteIdentifier(name=suite) for suite in SUITES]
    for result in results:
        identifiers.extend(result.run_results)
    context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=identifiers)


def run_identifier(run_at: datetime) -> RunIdentifier:
    """The GX run of the validation run as of `run_at`."""
    from great_expectations.core.run_identifier import RunIdentifier

    return RunIdentifier(run_name=run_folders(run_at)[0], run_time=run_at)


def run_folders(run_at: datetime) -> tuple[str, str]:
    """The folders GX files a run's validation pages under, by run name and UTC run time (as
    `RunIdentifier.to_tuple` names them), found without importing GX."""
    return f"egov-sync {run_at.isoformat()}", run_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def validate_warehouse(
    url: str, checkpoint: str, run_at: datetime, docs_dir: Path | None = None
) -> list[Outcome]:
    """Run one checkpoint (`row_rules` or `integrity`) on the warehouse at `url`, then render Data Docs."""

    from expectations.docs_site import prune_validation_pages

    directory = str(docs_dir or data_docs_dir())
    result = warehouse_checkpoints(directory, url)[checkpoint].run(run_id=run_identifier(run_at))
    pruned = prune_validation_pages(Path(directory), data_docs_keep_days())
    build_data_docs(gx_context(directory), [result])
    index = data_docs_index(Path(directory))
    log.info("Data Docs of %s as of %s published: %s (%d old validation page(s) pruned)",
             checkpoint, run_at.isoformat(), docs_address(index, Path(directory)), len(pruned))
    order = list(RULES_BY_NAME)
    return sorted(outcomes_of(result), key=lambda outcome: order.index(outcome.rule.name))


def data_docs_index(docs_dir: Path | None = None) -> Path:
    """The index page of the Data Docs site."""
    return (docs_dir or data_docs_dir()) / "index.html"


def validation_page(suite: str, run_at: datetime, docs_dir: Path | None = None) -> Path:
    """The Data Docs page of the validation result of `suite` in the run as of `run_at`.

    GX files it under `validations/`, by suite, run and batch; each suite validates one batch per run.
    When that run reused an earlier validation's results (its table had not changed) or its page was not
    rendered here, the suite's latest page before it; the index page when there is none. Paths as GX's
    `ExpectationSuiteIdentifier` and `RunIdentifier` name them, so that a run GX did not validate in need not
    import it.
    """
    directory = docs_dir or data_docs_dir()
    suite_dir = (directory / "validations").joinpath(*suite.split("."))
    run_name, run_time = run_folders(run_at)
    pages = sorted(suite_dir.joinpath(run_name, run_time).glob("*.html"))
    if pages:
        return pages[0]
    earlier = sorted(
        (page.parent.name, page) for page in suite_dir.glob("*/*/*.html") if page.parent.name <= run_time
    )
    return earlier[-1][1] if earlier else data_docs_index(directory)


def page_url(page: Path, docs_dir: Path | None = None) -> str | None:
    """The http(s) address of a page of the site where the site is served (`EGOV_SYNC_DATA_DOCS_URL`), or
    None when it is not served."""
    base = data_docs_url()
    if base is None:
        return None
    relative = page.resolve().relative_to((docs_dir or data_docs_dir()).resolve())
    return f"{base.rstrip('/')}/{quote(relative.as_posix())}"


def docs_address(page: Path, docs_dir: Path | None = None) -> str:
    """What to give people for a page: its http(s) address when the site is served, else its path."""
    return page_url(page, docs_dir) or str(page)
