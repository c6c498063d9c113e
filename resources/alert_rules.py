"""Which alerts go out, and what each says: the decisions, kept apart from delivery.

* `backlog_residue`: at most once per local day while residue remains, again the same day only when the
  residue grew; with the residue per unit, the ten oldest residue cases and the change since the previous
  residue alert.
* `data_quality`: only for a rule that fails now and did not fail in its previous validation, or whose
  unexpected count grew; with the counts and the change.
* `run_failure`: the job, the run, the failing step, the error class and its message with secrets removed.
* `freshness`: the marts still overdue after their 06:00 deadline, at most once per local day, again the
  same day only when a mart not named yet became overdue; with each mart's last materialisation.
* `petition_overdue`: at most once per local day while open petitions are past their handling deadline
  (`HanXuLy`), again the same day only when there are more; with the count per unit (oldest first), the ten
  oldest petitions (id, unit, classification, deadline, days overdue: never the sender or the text) and the
  change since the previous such alert.

"Previous alert" means one that reached people: delivered to the webhook, or logged when none is configured.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from core.environment import SECRET_VARIABLES
from core.local_time import LOCAL_ZONE
from core.sql_files import sql

QUERIES = "queries/alerts.sql"
ALERT_KINDS = ("backlog_residue", "data_quality", "run_failure", "freshness", "petition_overdue")
OLDEST_CASES = 10
MESSAGE_LIMIT = 500
DRIVER_DETAIL = re.compile(
    r"(?:^|\s)(?:DETAIL|CONTEXT|HINT|WHERE|QUERY|LINE \d+):"
    r"|\[SQL: |\[parameters: |\(Background on this error"
)
URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://[^:/@\s]*):[^@/\s]+@", re.IGNORECASE)


@dataclass(frozen=True)
class Alert:
    """One alert to deliver: its kind, the local day it is about, both titles and its details."""

    kind: str
    local_day: date
    title_vi: str
    title_en: str
    details: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None


def local_day_of(moment: datetime) -> date:
    """The calendar day of `moment` in Asia/Ho_Chi_Minh."""
    return moment.astimezone(LOCAL_ZONE).date()


def last_alert(conn: Connection, kind: str, day: date | None = None) -> dict[str, Any] | None:
    """The payload of the latest alert of `kind` that reached people (on `day` when given)."""
    if day is None:
        row = conn.execute(sql(QUERIES, "last_alert"), {"kind": kind}).mappings().first()
    else:
        params = {"kind": kind, "local_day": day}
        row = conn.execute(sql(QUERIES, "last_alert_on_day"), params).mappings().first()
    return dict(row["payload"]) if row else None


def count_change(
    previous: dict[str, Any] | None, total_name: str, total: int, by_unit: dict[str, int]
) -> dict[str, Any]:
    """The change since the previous alert of a count kept in `details[total_name]` and `details["by_unit"]`:
    in total and per unit (units cleared since show too)."""
    if previous is None:
        return {"previous_local_day": None, f"previous_{total_name}": None, f"{total_name}_delta": None,
                "by_unit_delta": {}}
    before = previous["details"]
    earlier_units = before.get("by_unit", {})
    units = sorted(set(earlier_units) | set(by_unit))
    deltas = {unit: by_unit.get(unit, 0) - earlier_units.get(unit, 0) for unit in units}
    return {
        "previous_local_day": previous["local_day"],
        f"previous_{total_name}": before[total_name],
        f"{total_name}_delta": total - before[total_name],
        "by_unit_delta": {unit: delta for unit, delta in deltas.items() if delta},
    }


def residue_change(previous: dict[str, Any] | None, residue: int, by_unit: dict[str, int]) -> dict[str, Any]:
    """The change since the previous residue alert: in total and per unit (units cleared since show too)."""
    return count_change(previous, "residue", residue, by_unit)


def residue_alert(conn: Connection, as_of: datetime, run_id: str | None = None) -> Alert | None:
    """The `backlog_residue` alert of a run at `as_of`, or None when nothing new is to be said today."""
    by_unit = {row.unit: row.residue_count for row in conn.execute(sql(QUERIES, "residue_by_unit"))}
    residue = sum(by_unit.values())
    day = local_day_of(as_of)
    if not residue:
        return None
    sent_today = last_alert(conn, "backlog_residue", day)
    if sent_today is not None and residue <= sent_today["details"]["residue"]:
        return None
    oldest = conn.execute(sql(QUERIES, "oldest_residue_cases"), {"limit": OLDEST_CASES}).mappings().all()
    details = {
        "as_of_date": day.isoformat(),
        "residue": residue,
        "by_unit": by_unit,
        "oldest_cases": [dict(row) for row in oldest],
        "change": residue_change(last_alert(conn, "backlog_residue"), residue, by_unit),
    }
    return Alert(
        kind="backlog_residue",
        local_day=day,
        title_vi=f"Còn {residue} hồ sơ tồn trên Egov chưa có trên hệ thống mới (ngày {day:%d/%m/%Y})",
        title_en=f"{residue} Egov backlog case(s) still open on Egov and nowhere else ({day.isoformat()})",
        details=details,
        run_id=run_id,
    )


def petition_overdue_alert(conn: Connection, as_of: datetime, run_id: str | None = None) -> Alert | None:
    """The `petition_overdue` alert of a run at `as_of`, or None when nothing new is to be said today."""
    params = {"as_of": as_of, "limit": OLDEST_CASES}
    units = [dict(row) for row in conn.execute(sql(QUERIES, "overdue_petitions_by_unit"), params).mappings()]
    by_unit = {row["unit_code"]: row["overdue"] for row in units}
    overdue = sum(by_unit.values())
    day = local_day_of(as_of)
    if not overdue:
        return None
    sent_today = last_alert(conn, "petition_overdue", day)
    if sent_today is not None and overdue <= sent_today["details"]["overdue"]:
        return None
    oldest = conn.execute(sql(QUERIES, "oldest_overdue_petitions"), params).mappings().all()
    details = {
        "as_of_date": day.isoformat(),
        "overdue": overdue,
        "by_unit": by_unit,
        "units": units,
        "oldest_petitions": [dict(row) for row in oldest],
        "change": count_change(last_alert(conn, "petition_overdue"), "overdue", overdue, by_unit),
    }
    return Alert(
        kind="petition_overdue",
        local_day=day,
        title_vi=f"{overdue} phản ánh, kiến nghị quá hạn xử lý chưa được giải quyết (ngày {day:%d/%m/%Y})",
        title_en=f"{overdue} open petition(s) past their handling deadline ({day.isoformat()})",
        details=details,
        run_id=run_id,
    )


def failure_status(failure: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """A failed expectation with its previous validation's figures: new, grew or unchanged."""
    failed_before = previous is not None and not previous["success"]
    before = int(previous["unexpected_count"]) if failed_before else None
    if not failed_before:
        status = "new"
    elif failure["unexpected_count"] > before:
        status = "grew"
    else:
        status = "unchanged"
    return failure | {
        "status": status,
        "previous_unexpected_count": before,
        "unexpected_delta": None if before is None else failure["unexpected_count"] - before,
    }


def data_quality_alert(
    conn: Connection,
    run_at: datetime,
    failed: list[dict[str, Any]],
    data_docs: str,
    run_id: str | None = None,
) -> Alert | None:
    """The `data_quality` alert of a validation at `run_at`, or None when no failure is new or grew.

    `failed` holds one dict per failed expectation: suite, expectation, severity, element_count,
    unexpected_count.
    """
    if not failed:
        return None
    params = {"run_at": run_at, "expectations": [item["expectation"] for item in failed]}
    previous = {row["expectation"]: dict(row) for row in
                conn.execute(sql(QUERIES, "previous_dq_results"), params).mappings()}
    judged = [failure_status(item, previous.get(item["expectation"])) for item in failed]
    news = [item for item in judged if item["status"] != "unchanged"]
    if not news:
        return None
    names = ", ".join(item["expectation"] for item in news)
    day = local_day_of(run_at)
    return Alert(
        kind="data_quality",
        local_day=day,
        title_vi=f"{len(news)} quy tắc chất lượng dữ liệu mới vi phạm hoặc tăng số vi phạm: {names}",
        title_en=f"{len(news)} data-quality rule(s) newly failing or with more offenders: {names}",
        details={
            "run_at": run_at.isoformat(), "data_docs": data_docs, "new_or_grown": news, "failed": judged,
        },
        run_id=run_id,
    )


def without_driver_detail(message: str) -> str:
    """`message` up to the first line where a database driver adds what it saw: DETAIL and CONTEXT quote the
    rows (an applicant's ID number in a key, a COPY line), HINT and the statement follow them."""
    match = DRIVER_DETAIL.search(message)
    return message[: match.start()].rstrip() if match else message


def redact(message: str) -> str:
    """`message` without a driver's row details, the values of secret variables or URL passwords, cut to a
    readable length."""
    message = without_driver_detail(message)
    for name in SECRET_VARIABLES:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            message = message.replace(value, f"<{name}>")
    message = URL_PASSWORD.sub(r"\g<scheme>:***@", message)
    return message[:MESSAGE_LIMIT]


def run_failure_alert(
    job: str, run_id: str, step: str | None, error_class: str | None, message: str, failed_at: datetime
) -> Alert:
    """The `run_failure` alert of a failed run."""
    where_vi = f" ở bước {step}" if step else ""
    where_en = f" at step {step}" if step else ""
    return Alert(
        kind="run_failure",
        local_day=local_day_of(failed_at),
        title_vi=f"Lần chạy {job} thất bại{where_vi}",
        title_en=f"Run of {job} failed{where_en}",
        details={
            "job": job,
            "run_id": run_id,
            "step": step,
            "error_class": error_class,
            "message": redact(message),
            "failed_at": failed_at.isoformat(),
        },
        run_id=run_id,
    )


def freshness_alert(conn: Connection, now: datetime, overdue: list[dict[str, Any]]) -> Alert | None:
    """The `freshness` alert for the marts overdue at `now` (each a dict with `asset`, `last_materialized`,
    `overdue_since`), or None when none is, or every one was already named in today's alert."""
    if not overdue:
        return None
    day = local_day_of(now)
    sent_today = last_alert(conn, "freshness", day)
    named = {item["asset"] for item in sent_today["details"]["overdue"]} if sent_today else set()
    names = sorted(item["asset"] for item in overdue)
    if set(names) <= named:
        return None
    listed = ", ".join(names)
    return Alert(
        kind="freshness",
        local_day=day,
        title_vi=f"{len(names)} bảng dữ liệu chưa cập nhật trước hạn 06:00 (ngày {day:%d/%m/%Y}): {listed}",
        title_en=f"{len(names)} mart(s) not refreshed by their 06:00 deadline ({day.isoformat()}): {listed}",
        details={"checked_at": now.isoformat(), "overdue": sorted(overdue, key=lambda item: item["asset"])},
    )

