"""``screening check-mrz``: validate MRZ text against ICAO Doc 9303."""

from __future__ import annotations

import json
import sys

import click

from screening.cli.options import json_option, parse_today, today_option
from screening.errors import BadArgumentsError
from screening.mrz import check_mrz as run_check
from screening.report.text import fields_lines, findings_lines, verdict_line
from screening.safe_text import printable, valid_unicode
from screening.settings import Settings

_MAX_INPUT_CHARS = 10_000


@click.command("check-mrz")
@click.argument("lines", nargs=-1)
@json_option
@today_option
def check_mrz(lines: tuple[str, ...], as_json: bool, today: str | None) -> None:
    """Parse and validate MRZ LINES (or read them from standard input).

    Give each MRZ line as an argument (quote them: '<' is special to the shell), or
    pipe the lines in. Prints the format, the fields, the findings and the verdict.
    """
    settings = Settings(today=parse_today(today))
    if not lines or lines == ("-",):
        # Bytes, decoded here: binary input gives U+FFFD characters (an MRZ_CHARSET
        # finding), never a decoding traceback or invalid UTF-8 in the JSON output.
        data = sys.stdin.buffer.read(_MAX_INPUT_CHARS + 1)[:_MAX_INPUT_CHARS]
        lines = (data.decode("utf-8", "replace"),)
    # Arguments that were not UTF-8 reach us as lone surrogates: the same replacement.
    lines = tuple(valid_unicode(line) for line in lines)
    if not "".join(lines).strip():
        raise BadArgumentsError("no MRZ text given: pass the lines as arguments or on stdin")
    report = run_check(list(lines), settings)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    out = [f"Format: {report.format or 'not recognised'}"]
    if report.fields:
        out.append("Fields:")
        out += fields_lines(report.fields)
    out.append("Findings:")
    out += findings_lines(report.findings)
    out.append(verdict_line(report.verdict))
    click.echo("\n".join(printable(line) for line in out))
