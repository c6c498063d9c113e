"""Hand-made `mart.fact_petition` rows (no sender data exists there) and raw rows that do carry a sender, for
the `petition_overdue` alert and the report's petition section."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from core.local_time import LOCAL_ZONE

SENDER = {
    "sender_name": "Nguyễn Thị Phản Ánh",
    "sender_id": "079188123456",
    "sender_phone": "0912345678",
    "sender_email": "phan.anh@example.vn",
    "title": "Chậm trả kết quả hồ sơ của bà Phản Ánh",
    "content": "Tôi là Nguyễn Thị Phản Ánh, CCCD 079188123456, gọi 0912345678 nhiều lần không ai nghe.",
}
FACT_COLUMNS = (
    "petition_key", "unit_code", "original_unit_code", "channel", "transferred_in", "classification",
    "procedure_code", "case_no", "case_key", "related_petition_no", "status_code", "sent_at", "accepted_at",
    "start_at", "reject_due_at", "supplement_due_at", "handle_due_at", "publish_due_at", "ended_at",
    "handled_at", "published_at", "has_answer", "has_reject_reason", "answer_rating", "likes", "dislikes",
)  # fmt: skip
INSERT_FACT = text(
    f"INSERT INTO mart.fact_petition ({', '.join(FACT_COLUMNS)}) "
    f"VALUES ({', '.join(':' + column for column in FACT_COLUMNS)})"
)
INSERT_RAW = text(
    "INSERT INTO raw.newsys_petition (petition_key, channel, transferred_in, sender_name, sender_id,"
    " sender_phone, sender_email, sender_type, is_anonymous, title, content, original_unit_code, status_code,"
    " sent_at, start_at, reject_due_at, supplement_due_at, handle_due_at, has_reject_reason, has_answer,"
    " likes, dislikes, synced_national, is_deleted, payload, fetched_at)"
    " VALUES (:petition_key, :channel, false, :sender_name, :sender_id, :sender_phone, :sender_email, '1',"
    " false, :title, :content, :unit_code, :status_code, :sent_at, :start_at, :reject_due_at,"
    " :supplement_due_at, :handle_due_at, false, false, 0, 0, false, false, CAST(:payload AS jsonb), now())"
)


def at(local: str) -> datetime:
    """A local (Asia/Ho_Chi_Minh) `YYYY-MM-DD HH:MM` as an aware datetime."""
    return datetime.fromisoformat(local).replace(tzinfo=LOCAL_ZONE)


def petition(
    key: str,
    unit: str,
    status: int,
    start: str,
    handle_due: str,
    ended: str | None = None,
    classification: int | None = 1,
    **overrides: Any,
) -> dict[str, Any]:
    """One `fact_petition` row: started at `start`, due for handling at `handle_due` (local times), ended at
    `ended` (for statuses 3..7); the other deadlines two and five days after the start."""
    started, due = at(start), at(handle_due)
    row: dict[str, Any] = dict.fromkeys(FACT_COLUMNS)
    row |= {
        "petition_key": key, "unit_code": unit, "original_unit_code": unit, "channel": 1,
        "transferred_in": False, "classification": classification, "status_code": status, "sent_at": started,
        "accepted_at": started if status != 1 else None, "start_at": started,
        "reject_due_at": started, "supplement_due_at": started, "handle_due_at": due,
        "ended_at": at(ended) if ended else None, "has_answer": status in (6, 7), "has_reject_reason": False,
        "likes": 0, "dislikes": 0,
    }  # fmt: skip
    if status in (6, 7) and ended:
        row |= {"handled_at": at(ended), "publish_due_at": at(ended), "published_at": at(ended)}
    return row | overrides


def insert_petitions(conn: Connection, rows: list[dict[str, Any]], with_senders: bool = True) -> None:
    """The fact rows, and (unless told not to) each one's raw row with a sender and free text."""
    conn.execute(INSERT_FACT, rows)
    if with_senders:
        conn.execute(INSERT_RAW, [raw_row(row) for row in rows])


def raw_row(fact: dict[str, Any]) -> dict[str, Any]:
    """The raw landing row of a fact row, with the sender's data and free texts of SENDER."""
    payload = {"MaPAKN": fact["petition_key"], "NguoiPhanAnh": SENDER["sender_name"],
               "SoDienThoai": SENDER["sender_phone"], "NoiDung": SENDER["content"]}  # fmt: skip
    return fact | SENDER | {"payload": json.dumps(payload, ensure_ascii=False)}


def sender_values() -> list[str]:
    """Every sender value and free text, and the parts of them a leak would show."""
    return [*SENDER.values(), "Phản Ánh", "079188123456", "0912345678", "phan.anh@example.vn"]
