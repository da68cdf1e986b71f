"""Facts about one result row that every batch output needs (CSV, HTML, manifest).

A row is the object ``scan --json`` prints (a booklet's: ``booklet --json``); an
``error`` row has no verdict.
"""

from __future__ import annotations

from functools import cache
from typing import Any

OUTCOMES = ("alert", "refer", "clear", "error")


def outcome(row: dict[str, Any]) -> str:
    """The row's verdict, or ``error`` when the input could not be screened."""
    if row.get("error") is not None or row.get("verdict") is None:
        return "error"
    return str(row["verdict"])


def document_fields(row: dict[str, Any]) -> dict[str, Any]:
    document = row.get("document") or {}
    return dict(document.get("fields") or {})


def document_format(row: dict[str, Any]) -> str | None:
    document = row.get("document") or {}
    return document.get("format")


def _clean(code: Any) -> str | None:
    text = str(code or "").replace("<", "").strip()
    return text or None


@cache
def _edition_states() -> dict[str, str]:
    from screening.documents.registry import load_registry

    return {e.id: e.issuing_state for e in load_registry().editions}


def edition_id(row: dict[str, Any]) -> str | None:
    edition = row.get("edition") or (row.get("document") or {}).get("edition") or {}
    return edition.get("id") if isinstance(edition, dict) else None


def issuing_state(row: dict[str, Any]) -> str | None:
    """From the MRZ; on a page without MRZ, from the identified edition."""
    state = _clean(document_fields(row).get("issuing_country"))
    if state is None and (edition := edition_id(row)) is not None:
        state = _edition_states().get(edition)
    return state


def nationality(row: dict[str, Any]) -> str | None:
    return _clean(document_fields(row).get("nationality"))


def document_number(row: dict[str, Any]) -> str | None:
    return _clean(document_fields(row).get("document_number"))


def finding_codes(row: dict[str, Any]) -> list[str]:
    return [str(f.get("code")) for f in row.get("findings") or []]


def list_versions(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The lost/stolen list versions this row was checked against."""
    lists = row.get("lists") or {}
    return list(lists.get("versions_checked") or [])
