"""The station's screening history: what is kept of each screening, and the search.

Without a retention period a row holds no personal data: the time, station, officer,
verdict, finding codes, document format, issuing state, the list versions checked and a
keyed hash of the document number (HMAC, :mod:`screening.lists.hashing`), so the same
document can be recognised later without storing its number. With ``keep_days`` the
full report and the image are kept too, until ``keep_until``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from screening.db import Database
from screening.lists.hashing import keyed_hash

_SUMMARY = (
    "ref, time, station, actor, verdict, codes, format, issuing_state, number_hash, "
    "list_versions, pages, elapsed_ms, error, keep_until"
)


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    station: str | None = None  # None: every station (supervisors)
    date_from: date | None = None
    date_to: date | None = None
    verdict: str | None = None
    code: str | None = None
    number_hash: str | None = None
    limit: int = 100
    offset: int = 0


def new_ref() -> str:
    return secrets.token_urlsafe(12)


def number_hash(key: bytes, fields: dict[str, Any]) -> str | None:
    number = fields.get("document_number")
    if not number:
        return None
    state = str(fields.get("issuing_country") or "")
    doc_type = str(fields.get("document_type") or "")[:1]
    return keyed_hash(key, state, doc_type, str(number))


def summary_of(reports: list[dict[str, Any]], key: bytes) -> dict[str, Any]:
    """The non-personal part of a screening (one report, or a booklet's pages)."""
    main = next((r for r in reports if r.get("document")), reports[0])
    document = main.get("document") or {}
    fields = document.get("fields") or {}
    codes = sorted({f["code"] for r in reports for f in r.get("findings", [])})
    versions = sorted(
        {
            int(v["id"])
            for r in reports
            for v in (r.get("lists") or {}).get("versions_checked", [])
            if isinstance(v, dict) and "id" in v
        }
    )
    errors = [r["error"] for r in reports if r.get("error")]
    return {
        "verdict": main.get("verdict"),
        "codes": codes,
        "format": document.get("format"),
        "issuing_state": fields.get("issuing_country"),
        "number_hash": number_hash(key, fields),
        "list_versions": versions,
        "pages": len(reports),
        "elapsed_ms": round(sum(float(r.get("elapsed_ms") or 0) for r in reports), 1),
        "error": "; ".join(errors) or None,
    }


def record_screening(
    db: Database,
    *,
    ref: str,
    when: datetime,
    station: str,
    actor: str,
    summary: dict[str, Any],
    keep_until: datetime | None = None,
    report: dict[str, Any] | None = None,
    image: bytes | None = None,
    image_type: str | None = None,
) -> None:
    retained = keep_until is not None
    db.execute(
        f"INSERT INTO screenings ({_SUMMARY}, report, image, image_type) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ref,
            when.astimezone(UTC).isoformat(timespec="seconds"),
            station,
            actor,
            summary["verdict"],
            "," + ",".join(summary["codes"]) + ",",
            summary["format"],
            summary["issuing_state"],
            summary["number_hash"],
            json.dumps(summary["list_versions"]),
            summary["pages"],
            summary["elapsed_ms"],
            summary["error"],
            keep_until.astimezone(UTC).isoformat(timespec="seconds") if retained else None,
            json.dumps(report, ensure_ascii=False) if retained and report else None,
            image if retained else None,
            image_type if retained else None,
        ),
    )


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    out = dict(zip([c.strip() for c in _SUMMARY.split(",")], row, strict=True))
    out["codes"] = [c for c in str(out["codes"]).split(",") if c]
    out["list_versions"] = json.loads(out["list_versions"] or "[]")
    return out


def search(db: Database, query: HistoryQuery) -> list[dict[str, Any]]:
    where: list[str] = []
    params: list[Any] = []
    if query.station is not None:
        where.append("station = ?")
        params.append(query.station)
    if query.date_from is not None:
        where.append("time >= ?")
        params.append(query.date_from.isoformat())
    if query.date_to is not None:
        where.append("time < ?")
        params.append((query.date_to + timedelta(days=1)).isoformat())
    if query.verdict:
        where.append("verdict = ?")
        params.append(query.verdict)
    if query.code:
        where.append("codes LIKE ?")
        params.append(f"%,{query.code.upper()},%")
    if query.number_hash:
        where.append("number_hash = ?")
        params.append(query.number_hash)
    sql = f"SELECT {_SUMMARY} FROM screenings"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY time DESC, id DESC LIMIT {int(query.limit)} OFFSET {int(query.offset)}"
    return [_row(r) for r in db.query(sql, params)]


def get(db: Database, ref: str) -> dict[str, Any] | None:
    row = db.query_one(f"SELECT {_SUMMARY} FROM screenings WHERE ref = ?", (ref,))
    return None if row is None else _row(row)


def retained(db: Database, ref: str) -> tuple[dict[str, Any] | None, bytes | None, str | None]:
    """The kept report, image and image type of a screening (``None`` when not kept)."""
    row = db.query_one("SELECT report, image, image_type FROM screenings WHERE ref = ?", (ref,))
    if row is None or row[0] is None:
        return None, None, None
    return json.loads(row[0]), None if row[1] is None else bytes(row[1]), row[2]


def purge_expired(db: Database, now: datetime) -> int:
    """Drop the personal part of every screening past its retention date."""
    cursor = db.execute(
        "UPDATE screenings SET report = NULL, image = NULL, image_type = NULL "
        "WHERE keep_until IS NOT NULL AND keep_until <= ? AND report IS NOT NULL",
        (now.astimezone(UTC).isoformat(timespec="seconds"),),
    )
    return int(cursor.rowcount or 0)
