"""Error texts that reach alerts never carry what a database driver quotes of the rows (DETAIL, CONTEXT)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dagster._utils.error import serializable_error_info_from_exc_info
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from pipelines.failures import describe
from resources.alert_rules import redact, run_failure_alert
from resources.warehouse import WarehouseResource

APPLICANT_ID = "079912345678"


def test_a_failed_statement_that_quotes_an_applicant_id_reaches_the_alert_without_it(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.begin() as conn:
        conn.execute(text("CREATE TABLE staging.applicant_probe (applicant_id text PRIMARY KEY)"))
        conn.execute(text("INSERT INTO staging.applicant_probe VALUES (:id)"), {"id": APPLICANT_ID})
    with pytest.raises(IntegrityError) as raised, warehouse.begin() as conn:
        conn.execute(text("INSERT INTO staging.applicant_probe VALUES (:id)"), {"id": APPLICANT_ID})
    assert APPLICANT_ID in str(raised.value), "the driver quotes the row in its DETAIL"
    error = serializable_error_info_from_exc_info((raised.type, raised.value, raised.tb))
    message = describe(error)
    alert = run_failure_alert("nightly_sync", "run-1", "mart__fact_case", "IntegrityError", message,
                              datetime.now(UTC))
    assert APPLICANT_ID not in str(alert.details)
    assert "duplicate key value violates unique constraint" in alert.details["message"]


@pytest.mark.parametrize(
    "driver_text",
    [
        'duplicate key value violates unique constraint "k"\nDETAIL:  Key (applicant_id)=(079912345678).',
        'invalid input syntax for type integer: "x"\nCONTEXT:  COPY land_valid, line 3: "079912345678\t…"',
        "(psycopg.errors.CheckViolation) row violates check\nDETAIL:  Failing row contains (079912345678)",
    ],
)
def test_redaction_cuts_the_driver_detail(driver_text: str) -> None:
    assert APPLICANT_ID not in redact(driver_text)
    assert APPLICANT_ID not in redact(" ".join(driver_text.split()))


