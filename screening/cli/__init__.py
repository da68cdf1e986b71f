"""Command-line interface: the only layer that prints.

Each command lives in its own module and is registered here. Library code raises typed
errors (:mod:`screening.errors`); :func:`main` is the single place that turns them into a
message on stderr and an exit code.
"""

from __future__ import annotations

import sys

import click

from screening import __version__
from screening.errors import ExitCode, ScreeningError
from screening.safe_text import printable


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="screening")
def cli() -> None:
    """Screen travel documents for fraud and feed smuggling indicators."""


def _register() -> None:
    # One import and one add_command per command module.
    from screening.cli.check_mrz import check_mrz
    from screening.cli.demo import demo

    cli.add_command(check_mrz)
    cli.add_command(demo)
    from screening.cli.specimen import specimen

    cli.add_command(specimen)
    from screening.cli.scan import scan

    cli.add_command(scan)
    from screening.cli.lists import lists

    cli.add_command(lists)
    from screening.cli.editions import editions

    cli.add_command(editions)
    from screening.cli.batch import batch

    cli.add_command(batch)
    from screening.cli.booklet import booklet

    cli.add_command(booklet)
    from screening.cli.explain import explain

    cli.add_command(explain)
    from screening.cli.indicators import indicators

    cli.add_command(indicators)
    from screening.cli.audit import audit
    from screening.cli.serve import serve
    from screening.cli.users import users

    cli.add_command(serve)
    cli.add_command(users)
    cli.add_command(audit)


_register()


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the CLI and map errors to exit codes."""
    try:
        result = cli.main(args=argv, prog_name="screening", standalone_mode=False)
    except ScreeningError as error:
        # Messages quote file names and values from outside: one line each, escaped.
        hint = f"\n  hint: {printable(error.hint)}" if error.hint else ""
        click.echo(f"screening: error: {printable(error.message)}{hint}", err=True)
        return int(error.exit_code)
    except click.exceptions.Abort:
        click.echo("screening: interrupted", err=True)
        return int(ExitCode.interrupted)
    except click.ClickException as error:
        error.show()
        return int(ExitCode.bad_args)
    except KeyboardInterrupt:
        click.echo("screening: interrupted", err=True)
        return int(ExitCode.interrupted)
    except BrokenPipeError:
        return int(ExitCode.ok)
    return result if isinstance(result, int) else int(ExitCode.ok)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
