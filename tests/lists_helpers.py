"""Shared helpers for the lists tests: synthetic feeds (no real person's data)."""

from __future__ import annotations

from pathlib import Path

import pytest

HEADER = "issuing_state,document_type,document_number,status,number_to,review_on,source"

BASE_ROWS = [
    "KGZ,P,AN1234567,lost,,,KG-MVD",
    "KGZ,PN,AC7654321,stolen,,,KG-MVD",
    "KGZ,P,AN2000000,stolen_blank,AN2000999,,KG-GRS",
    "KGZ,P,AN0000100,stolen_blank,AN0000199,,KG-GRS",
    "KAZ,I,N05123456,revoked,,,KZ-MVD",
    "TJK,P,400123456,invalid,,,TJ-MVD",
    "UZB,P,FA8123456,lost,,2020-01-01,UZ-MVD",
]


def write_feed(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def store_url_for(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/lists.db"
    return str(request.getfixturevalue("pg_schema_url"))
