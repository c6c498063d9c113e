"""Every build of the warehouse, declared once, in the order a run builds them; and the runner of each.

| build | consumes | publishes | after (a full rebuild of these rebuilds it) |
|---|---|---|---|
| staging_case | raw.change_log | staging.case | |
| case_link | staging.change_log | staging.case_link | staging_case |
| fact_case | staging.change_log | mart.fact_case | staging_case, case_link |
| fact_petition | staging.change_log | mart.fact_petition | staging_case, case_link, fact_case |
| fact_rating | staging.change_log | mart.fact_rating | staging_case, case_link, fact_case |
| backlog_reconciliation | staging.change_log | mart.backlog_reconciliation | staging_case, case_link |
| residue_case | staging.change_log | mart.residue_case | staging_case, case_link |
| dq_subject | staging.change_log | staging.dq_subject | staging_case, case_link, fact_case, fact_petition, |
| | | | fact_rating |
| indicator_monthly | staging.change_log | mart.indicator_monthly | staging_case, case_link, fact_case, |
| | | | fact_petition |
| tthc_period_report | staging.change_log | mart.tthc_period_report | staging_case, case_link, fact_case |
| score766_monthly | staging.change_log | mart.score766_monthly | staging_case, case_link, fact_case, |
| | | | fact_petition, fact_rating, indicator_monthly |

The staging log keeps an entry until every build that consumes it has: a build declared here never loses one.
"""

from __future__ import annotations

from sqlalchemy import Connection

from transform.builds import Build, BuildInputs, BuildRun, Registry
from transform.case_universe import CASE_LINK, FACT_CASE, STAGING_CASE
from transform.dq_subject import DQ_SUBJECT
from transform.indicators import INDICATOR_MONTHLY, INDICATORS
from transform.period_report import PERIOD_REPORT, TTHC_PERIOD_REPORT
from transform.petitions import FACT_PETITION, FACT_RATING
from transform.reconciliation import RECONCILIATION
from transform.residue import RESIDUE_CASE
from transform.score766 import SCORE766_MONTHLY

COUNTED_MARTS = (INDICATORS, PERIOD_REPORT)  # the builds counted by difference (transform/counting.py)
REGISTRY = Registry(
    STAGING_CASE, CASE_LINK, FACT_CASE, FACT_PETITION, FACT_RATING, RECONCILIATION, RESIDUE_CASE, DQ_SUBJECT,
    INDICATOR_MONTHLY, TTHC_PERIOD_REPORT, SCORE766_MONTHLY,
)  # fmt: skip


def run_build(conn: Connection, build: Build, inputs: BuildInputs) -> BuildRun:
    """Run one build of the registry in the caller's transaction."""
    return REGISTRY.run(conn, build, inputs)
