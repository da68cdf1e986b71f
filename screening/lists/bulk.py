"""Bulk fast path of an import: whole blocks of clean feed lines -> store rows.

An import's time goes to three parts of similar size per row: parsing and checking the
feed text (Python), writing the rows into the store and the final index sort. This
module makes the first two cheap: a block of about 1 MB of lines is checked by one
regular expression and column-wise set checks, and its rows leave as a few JSON arrays
(one per document type and status) that SQLite unpacks itself, instead of one Python
tuple per row. For large feeds the parsing runs in a helper process, so that it
overlaps the writing on a second core.

A block is taken whole (every line a clean single record) or not at all; the importer
takes a block that is not line by line, which reports each bad row with its number.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from operator import add
from pathlib import Path
from typing import IO, Any, NamedTuple

from screening.errors import ListStoreError
from screening.lists import feeds
from screening.lists.feeds import Feed, FeedError
from screening.lists.hashing import keyed_hash
from screening.lists.model import Status
from screening.lists.store import RECORD_FIELDS, RecordGroup
from screening.lists.validation import EXTRA_SEPARATOR, FastBlock, make_block_parser

# Feeds smaller than this are parsed in the importing process: starting a helper
# process costs more than it saves.
PARALLEL_MIN_BYTES = 32 << 20
_REFERENCE = RECORD_FIELDS.index("reference")


class BlockRows(NamedTuple):
    """One block's records, ready for the store and cheap to pass between processes."""

    groups: list[RecordGroup]  # rows grouped by (document type, status)
    rows: int
    status_counts: dict[str, int]  # status label -> rows


def without_reference(extra: str | None) -> str | None:
    """Hashed stores keep no national reference: it points back to the case and person."""
    if extra is None:
        return None
    values = extra.split(EXTRA_SEPARATOR)
    values[_REFERENCE] = ""
    return EXTRA_SEPARATOR.join(values) if any(values) else None


def to_block_rows(block: FastBlock, hmac_key: bytes | None) -> BlockRows:
    if hmac_key is None:
        keys: Iterable[str] = map(add, block.states, block.numbers)
        extras = block.extras
    else:
        keys = map(partial(keyed_hash, hmac_key), block.states, block.types, block.numbers)
        extras = None if block.extras is None else list(map(without_reference, block.extras))
        if extras is not None and not any(extras):
            extras = None
    buckets: dict[tuple[str, int], list[Any]] = defaultdict(list)
    if extras is None:  # the hot loop of a big import: the only Python code per row
        for key, doc_type, status in zip(keys, block.types, block.statuses, strict=True):
            buckets[doc_type, status].append(key)
    else:
        for key, doc_type, status, extra in zip(
            keys, block.types, block.statuses, extras, strict=True
        ):
            buckets[doc_type, status].append((key, extra))
    with_extras = extras is not None
    groups = [
        RecordGroup(doc_type, status, json.dumps(items, separators=(",", ":")), with_extras)
        for (doc_type, status), items in buckets.items()
    ]
    counts: dict[str, int] = defaultdict(int)
    for (_, status), items in buckets.items():
        counts[Status(status).label] += len(items)
    return BlockRows(groups, len(block.numbers), dict(counts))


def parse_block_rows(
    parse: Callable[[str], FastBlock | None], hmac_key: bytes | None, block: str
) -> BlockRows | None:
    """One block as store rows, or None when some line needs the careful path."""
    parsed = parse(block)
    return None if parsed is None else to_block_rows(parsed, hmac_key)


class BulkBlocks:
    """The blocks of one CSV feed, in order, each with its rows when the bulk path took
    it whole (then the text is not needed and is None) or with its text for the careful
    path. ``digest`` is the feed's digest once every block has been read.

    With ``helper``, a separate process (``python -m screening.lists.bulk FEED``) reads
    and parses the feed and streams the results through a pipe; it inherits no
    descriptor of ours (no database connection, no import lock) and dies of a broken pipe
    if the importer is killed. A context manager: the helper is stopped on exit.
    """

    def __init__(self, feed: Feed, hmac_key: bytes | None, *, helper: bool) -> None:
        self._feed = feed
        self._key = hmac_key
        self._digest: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        if helper:
            block_chars = str(feeds.BLOCK_CHARS)  # read now: tests make it small
            self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__
            # The helper imports this package from where the importer found it.
            package_root = str(Path(__file__).resolve().parents[2])
            path = os.environ.get("PYTHONPATH")
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (package_root, path)))}
            try:
                self._proc = subprocess.Popen(
                    [sys.executable, "-m", "screening.lists.bulk", str(feed.path), block_chars],
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=self._stderr,
                )
                assert self._proc.stdin is not None
                # The key goes through the pipe, never the command line (visible in ps).
                self._proc.stdin.write(hmac_key or b"")
                self._proc.stdin.close()
            except OSError:  # no helper (cannot start, died at once): parse in-process
                self.__exit__()

    @property
    def digest(self) -> str:
        return self._feed.digest if self._digest is None else self._digest

    def __enter__(self) -> BulkBlocks:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            if self._proc.stdin is not None and not self._proc.stdin.closed:
                with contextlib.suppress(OSError):  # the helper is gone: nothing to flush
                    self._proc.stdin.close()
            assert self._proc.stdout is not None
            self._proc.stdout.close()
            self._proc = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __iter__(self) -> Iterator[tuple[str | None, BlockRows | None]]:
        if self._proc is None:
            parse = make_block_parser(self._feed.columns)
            for block in self._feed.blocks():
                rows = parse_block_rows(parse, self._key, block)
                yield (None if rows is not None else block), rows
            return
        assert self._proc.stdout is not None
        stream = self._proc.stdout
        while True:
            try:
                message = pickle.load(stream)
            except EOFError:
                reason = self._helper_error()
                raise ListStoreError(f"the feed parser process stopped: {reason}") from None
            kind = message[0]
            if kind == "rows":
                yield None, message[1]
            elif kind == "block":
                yield message[1], None
            elif kind == "error":
                raise FeedError(message[1])
            else:  # "done"
                self._digest = message[1]
                return

    def _helper_error(self) -> str:
        assert self._proc is not None and self._stderr is not None
        code = self._proc.wait()
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").strip().splitlines()
        return f"exit code {code}" + (f": {lines[-1]}" if lines else "")


def _helper_main(argv: Sequence[str]) -> int:
    """The helper process (argv: FEED BLOCK_CHARS): parse the feed, write pickled
    messages to stdout: ("rows", BlockRows) or ("block", text) per block, in order, then
    ("done", digest) or ("error", reason)."""
    hmac_key = sys.stdin.buffer.read() or None
    out = sys.stdout.buffer
    dump = partial(pickle.dump, file=out, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        with Feed(Path(argv[0]), "csv") as feed:
            parse = make_block_parser(feed.columns)
            for block in feed.blocks(int(argv[1])):
                rows = parse_block_rows(parse, hmac_key, block)
                dump(("rows", rows) if rows is not None else ("block", block))
            dump(("done", feed.digest))
    except (FeedError, UnicodeDecodeError) as error:
        dump(("error", str(error)))
    except BrokenPipeError:  # the importer is gone
        return 1
    out.flush()
    return 0


if __name__ == "__main__":
    # Run the imported module's copy, so that pickled rows name screening.lists.bulk
    # (not __main__) and the importer can load them.
    from screening.lists import bulk

    sys.exit(bulk._helper_main(sys.argv[1:]))
