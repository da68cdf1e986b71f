"""``screening lists check``: one number, or a stream of them on standard input."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import click

from screening.cli.lists_common import key_option, lists_option, open_lists
from screening.cli.options import json_option, parse_today, today_option
from screening.errors import BadArgumentsError
from screening.lists.hashing import load_key
from screening.lists.matcher import MatchResult, find_matches
from screening.safe_text import printable

# A query line is 'STATE NUMBER [TYPE]': a few dozen bytes. A longer line (or binary
# without line ends) is answered with an error, read no further than this.
MAX_QUERY_LINE_BYTES = 1024


@click.command("check")
@click.argument("state")
@click.argument("number", required=False)
@lists_option
@click.option("--type", "doc_type", default=None, help="Document code (P, I, ...), if known.")
@click.option("--no-near", is_flag=True, help="Exact lookup only (no near-hit search).")
@key_option
@today_option
@json_option
def check_command(
    state: str,
    number: str | None,
    lists_url: str | None,
    doc_type: str | None,
    no_near: bool,
    key_file: Path | None,
    today: str | None,
    as_json: bool,
) -> None:
    """Check STATE NUMBER against the active list; STATE '-' reads 'STATE NUMBER [TYPE]'
    lines from stdin and prints one result per line (JSON objects with --json).

    A state that is no ICAO code or a number with characters other than A-Z 0-9 is an
    error (exit 2; on stdin an error line, and the next lines are still answered).
    """
    day = parse_today(today)
    key = load_key(key_file)
    if state != "-" and number is None:
        raise BadArgumentsError("give STATE NUMBER, or '-' to read them from stdin")
    store = open_lists(lists_url, create=False)
    try:

        def check(state: str, doc_type: str | None, number: str) -> dict[str, Any]:
            result = find_matches(
                store, state, doc_type, number, today=day, near=not no_near, key=key
            )
            return _result_dict(state, number, result)

        if state == "-" and number is None:
            for n, parts in query_lines(_stdin_bytes()):
                if isinstance(parts, str) or len(parts) not in (2, 3):
                    error = parts if isinstance(parts, str) else "expected 'STATE NUMBER [TYPE]'"
                    _emit({"line": n, "status": "error", "error": error}, as_json)
                    continue
                try:
                    out = check(parts[0], parts[2] if len(parts) == 3 else doc_type, parts[1])
                except BadArgumentsError as error:
                    out = {"line": n, "status": "error", "error": error.message}
                _emit(out, as_json)
        else:
            assert number is not None
            _emit(check(state, doc_type, number), as_json)
    finally:
        store.close()


def _stdin_bytes() -> BinaryIO:
    # Bytes, not text: binary input is answered line by line, never a decoding traceback.
    return sys.stdin.buffer


def query_lines(stream: BinaryIO) -> Iterator[tuple[int, list[str] | str]]:
    """(line number, fields) per non-blank line, or (line number, why not) for a line
    too long or not UTF-8 text; never more than ``MAX_QUERY_LINE_BYTES`` read at once."""
    n = 0
    while line := stream.readline(MAX_QUERY_LINE_BYTES + 1):
        n += 1
        if len(line) > MAX_QUERY_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of it
                line = stream.readline(MAX_QUERY_LINE_BYTES)
            yield n, f"line longer than {MAX_QUERY_LINE_BYTES:,} bytes"
            continue
        try:
            parts = line.decode("utf-8").split()
        except UnicodeDecodeError:
            yield n, "not UTF-8 text"
            continue
        if parts:
            yield n, parts


def _result_dict(state: str, number: str, result: MatchResult) -> dict[str, Any]:
    return {
        "issuing_state": state.upper(),
        "document_number": number.upper(),
        "status": result.status,
        "list_version": None if result.version is None else result.version.ref(),
        "matches": [m.to_dict() for m in result.matches],
    }


def _emit(out: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(out, separators=(",", ":")))
        return
    if "error" in out:
        click.echo(printable(f"line {out['line']}: {out['error']}"))
        return
    head = f"{out['status'].upper():8} {out['issuing_state']} {out['document_number']}"
    version = out["list_version"]
    lines = [
        head + (f"  (list version {version['version']})" if version else "  (no list imported)")
    ]
    for match in out["matches"]:
        record = match["record"]
        lines.append(
            f"  {match['kind']}: {record['status']} — {match['reason']}"
            + (f" [source {record['source']}]" if record.get("source") else "")
        )
    click.echo("\n".join(printable(line) for line in lines))
