"""Options shared by several commands."""

from __future__ import annotations

from datetime import date

import click

from screening.errors import BadArgumentsError


def parse_today(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise BadArgumentsError(f"--today must be a date as YYYY-MM-DD, not {value!r}") from error


today_option = click.option(
    "--today",
    metavar="YYYY-MM-DD",
    default=None,
    help="Screening date for expiry checks (default: the system date).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
