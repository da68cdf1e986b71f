"""Options and helpers shared by the ``screening lists`` subcommands."""

from __future__ import annotations

from pathlib import Path

import click

from screening.lists.store import ListStore, open_store
from screening.settings import Settings


def default_url() -> str:
    return Settings().resolved_lists_url()


def open_lists(url: str | None, *, create: bool) -> ListStore:
    return open_store(url or default_url(), create=create)


lists_option = click.option(
    "--lists",
    "lists_url",
    metavar="URL",
    default=None,
    help="List store: sqlite:///path/lists.db or postgresql://... "
    "(default: lists.db in the user's data directory).",
)
key_option = click.option(
    "--key-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="HMAC key for a hashed store (default: $SCREENING_LISTS_KEY).",
)
