"""Options that turn on (by default) and direct the recording of screening events, shared
by the commands that screen (``scan``, ``booklet``, ``batch``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from screening.indicators.config import RecordingConfig
from screening.indicators.record import EventRecorder
from screening.settings import Settings


def recording_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--no-events``, ``--events URL``, ``--checkpoint``, ``--direction``."""
    options = (
        click.option(
            "--no-events",
            is_flag=True,
            help="Do not record this screening in the indicator event store.",
        ),
        click.option(
            "--events",
            "events_url",
            metavar="URL",
            default=None,
            help="Indicator event store: sqlite:///path or postgresql://... (default: "
            "$SCREENING_EVENTS_URL, the config file, else events.db in the data directory).",
        ),
        click.option(
            "--checkpoint",
            default=None,
            help="Checkpoint recorded with each event (default: $SCREENING_CHECKPOINT, "
            "else the config file indicators.toml).",
        ),
        click.option(
            "--direction",
            type=click.Choice(["entry", "exit"]),
            default=None,
            help="Direction recorded with each event (default: $SCREENING_DIRECTION, "
            "else the config file).",
        ),
    )

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def open_recorder(
    settings: Settings,
    *,
    no_events: bool,
    events_url: str | None,
    checkpoint: str | None,
    direction: str | None,
) -> EventRecorder | None:
    """The recorder for this run (None with ``--no-events``); store problems become one
    warning on stderr, never a failed screening."""
    if no_events:
        return None
    config = RecordingConfig.resolve(
        settings, checkpoint=checkpoint, direction=direction, events_url=events_url
    )
    return EventRecorder(
        config,
        spool_dir=Path(settings.data_dir),
        warn=lambda message: click.echo(f"screening: warning: {message}", err=True),
    )
