"""What the asset catalogue shows of each asset besides its code, so that it reads like a data dictionary: the
warehouse table it publishes with its columns (from `core.catalogue`), its owners, and a tag when it holds
personal data. Applied to every asset in one place, `pipelines.definitions`."""

from __future__ import annotations

from typing import Any

import dagster as dg

from core.asset_keys import group_of
from core.catalogue import Table, table_of, warehouse_catalogue

TABLE_NAME = "dagster/table_name"
COLUMN_SCHEMA = "dagster/column_schema"
PERSONAL_DATA_TAG = "personal_data"
PIPELINE_OWNER = "team:egov_sync_pipeline"
REPORTING_OWNER = "team:egov_sync_reporting"
# Who answers for an asset, by layer: the team that runs the pipeline owns every table it writes; the
# published layers also belong to the reporting team that reads them (the two warehouse roles, README).
OWNERS = {
    "raw": [PIPELINE_OWNER],
    "staging": [PIPELINE_OWNER],
    "mart": [PIPELINE_OWNER, REPORTING_OWNER],
    "report": [REPORTING_OWNER, PIPELINE_OWNER],
}
# The columns holding personal data (names, ID numbers, and raw payloads with phones, e-mails and free text):
# only in the restricted raw and staging schemas; `mart` identifies applicants by a keyed hash.
PERSONAL_COLUMNS = {
    "raw.egov_case": ("applicant_id", "payload"),
    "raw.newsys_case": ("applicant_id", "payload"),
    "raw.newsys_official": ("full_name", "payload"),
    "raw.newsys_petition": (
        "sender_name", "sender_id", "sender_phone", "sender_email", "title", "content", "reject_reason",
        "answer", "payload",
    ),
    "raw.newsys_rating": ("comment", "payload"),
    "staging.case": ("applicant_id",),
}


# Pseudonymised personal data (a keyed hash): tagged on the column, the asset holds no personal data in clear.
PSEUDONYMOUS_COLUMNS = {"mart.fact_case": ("applicant_key",)}


def column_tags(table_name: str, column: str) -> dict[str, str] | None:
    """`personal_data: true` on a personal column, `personal_data: pseudonymous` on a keyed hash of one."""
    if column in PERSONAL_COLUMNS.get(table_name, ()):
        return {PERSONAL_DATA_TAG: "true"}
    if column in PSEUDONYMOUS_COLUMNS.get(table_name, ()):
        return {PERSONAL_DATA_TAG: "pseudonymous"}
    return None


def column_schema(table_name: str, table: Table) -> dg.TableSchema:
    """A table's columns as Dagster shows them: type, nullability, comment, and a tag on personal data."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=column.name,
                type=column.type,
                description=column.description,
                constraints=dg.TableColumnConstraints(nullable=column.nullable),
                tags=column_tags(table_name, column.name),
            )
            for column in table.columns
        ]
    )


def table_metadata(key: dg.AssetKey) -> dict[str, Any]:
    """`dagster/table_name` and `dagster/column_schema` of the table an asset publishes (none: a report)."""
    table_name = table_of(key)
    if table_name is None:
        return {}
    table = warehouse_catalogue()[table_name]
    return {TABLE_NAME: table_name, COLUMN_SCHEMA: column_schema(table_name, table)}


def with_catalogue(spec: dg.AssetSpec) -> dg.AssetSpec:
    """An asset with its table, columns, owners and, when it holds personal data, the `personal_data` tag."""
    personal = table_of(spec.key) in PERSONAL_COLUMNS
    return spec.merge_attributes(
        metadata=table_metadata(spec.key),
        owners=OWNERS[group_of(spec.key)],
        tags={PERSONAL_DATA_TAG: "true"} if personal else {},
    )
