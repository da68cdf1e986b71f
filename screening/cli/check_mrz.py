"""``screening check-mrz``: validate MRZ text against ICAO Doc 9303."""

from __future__ import annotations

import json
import sys

import click

from screening.cli.options import json_option, parse_today, today_option
from screening.mrz import check_mrz as run_check
from screening.report.text import fields_lines, findings_lines, verdict_line
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
        text = sys.stdin.read(_MAX_INPUT_CHARS + 1)
        if len(text) > _MAX_INPUT_CHARS:
            text = text[:_MAX_INPUT_CHARS]
        lines = (text,)
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
    click.echo("\n".join(out))
