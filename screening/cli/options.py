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
lists_url_option = click.option(
    "--lists",
    "lists_url",
    metavar="URL",
    default=None,
    help="Lost/stolen list store: sqlite:///path or postgresql://... "
    "(default: lists.db in the user's data directory).",
)
no_lists_option = click.option(
    "--no-lists", is_flag=True, help="Do not check the lost/stolen lists."
)
