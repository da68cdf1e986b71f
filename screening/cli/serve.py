"""``screening serve``: the officer's web station on this machine."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from screening.cli.audit_hook import db_option
from screening.cli.options import lists_url_option, no_lists_option, parse_today
from screening.db import default_station_url
from screening.errors import BadArgumentsError
from screening.settings import Settings


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allowed_hosts(host: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    names = ["127.0.0.1", "localhost", "::1", *extra]
    if host in ("0.0.0.0", "::"):
        if not extra:  # any name reaches it: say so (see the warning below)
            return ("*",)
    elif host not in names:
        names.append(host)
    return tuple(names)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@db_option
@lists_url_option
@no_lists_option
@click.option(
    "--keep-days",
    type=click.IntRange(0, 3650),
    default=0,
    show_default=True,
    help="Keep images and full reports this many days (0: not kept after the result "
    "is shown; the history then holds verdicts, codes and keyed hashes of numbers).",
)
@click.option("--station", default=None, help="This station's name (default: host name).")
@click.option(
    "--key-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="HMAC key for document numbers in the history (default: $SCREENING_STATION_KEY, "
    "else station.key in the data directory, created on first use).",
)
@click.option("--today", metavar="YYYY-MM-DD", default=None, help="Fixed screening date (demos).")
@click.option("--no-viz", is_flag=True, help="Skip the visual-zone comparison (faster).")
@click.option(
    "--photo-check",
    is_flag=True,
    help="Also score the photo for substitution, as scan --photo-check (see docs/documents.md).",
)
@click.option("--secure-cookies", is_flag=True, help="Mark cookies Secure (behind HTTPS).")
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="A host name the station answers to (repeatable; default: the loopback names and --host).",
)
@click.option(
    "--warm-up/--no-warm-up",
    default=True,
    help="Load the models at start-up, not at the first screening (default: on).",
)
def serve(
    host: str,
    port: int,
    db_url: str | None,
    lists_url: str | None,
    no_lists: bool,
    keep_days: int,
    station: str | None,
    key_file: Path | None,
    today: str | None,
    no_viz: bool,
    photo_check: bool,
    secure_cookies: bool,
    warm_up: bool,
    allowed_hosts: tuple[str, ...],
) -> int:
    """Start the web station (bound to 127.0.0.1 unless --host says otherwise).

    Create an account first: screening users add NAME --role officer
    """
    import uvicorn

    from screening.web.app import create_app
    from screening.web.config import StationConfig, history_key
    from screening.web.runtime import StationRuntime

    settings = Settings(today=parse_today(today), lists_url=lists_url)
    config_args = {"station": station} if station else {}
    config = StationConfig(
        db_url=db_url or default_station_url(settings),
        settings=settings,
        check_lists=not no_lists,
        fixed_today=today is not None,
        keep_days=keep_days,
        use_viz=not no_viz,
        check_photo=photo_check,
        secure_cookies=secure_cookies,
        warm_up=warm_up,
        allowed_hosts=_allowed_hosts(host, allowed_hosts),
        **config_args,  # type: ignore[arg-type]
    )
    runtime = StationRuntime.open(config, history_key=history_key(key_file, settings.data_dir))
    if not runtime.db.query_one("SELECT 1 FROM accounts LIMIT 1"):
        raise BadArgumentsError(
            "no accounts in the station database yet",
            hint="screening users add NAME --role admin (and officers) first",
        )
    if not _is_loopback(host):
        click.echo(
            f"screening: warning: listening on {host}: other machines can reach this station; "
            "put it behind HTTPS (--secure-cookies)",
            err=True,
        )
    click.echo(f"screening station {config.station} on http://{host}:{port}/ (Ctrl-C stops)")
    uvicorn.run(create_app(runtime), host=host, port=port, log_level="warning", access_log=False)
    return 0
