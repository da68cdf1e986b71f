"""Page-number sequence of a booklet: which printed numbers are there, which are missing.

Pure: takes the numbers read on the pages in scan order (None where unread), their
confidences, and the edition's page count (None when unknown), and returns the numbers
assigned to every page and the gaps.

A misread must not invent a gap. So: the reads that agree with the scan order (the
longest strictly increasing run through them) are the anchors; a read that breaks the
order is a misread. An anchor is *trusted* when Tesseract was sure of it or when a
neighbouring page's read agrees with it (n-1 before it, n+1 after it). Unread pages
between two anchors take the numbers between them when they fit exactly. A gap is
reported only between trusted anchors; leading and trailing gaps (numbers before the
first page or after the last) are reported apart, because an incomplete scan looks the
same as pages pulled from the end.

A gap is an alert only when the booklet's structure allows it; otherwise it is
uncertain (a warning):

- pages leave a booklet a leaf at a time, and a leaf carries a recto and its verso: the
  missing numbers must be whole leaves (an even count, starting at a recto number);
- on a spread the recto is the right-hand page (odd numbers on the right, learnt from the
  booklet's own sure reads); a read of the wrong parity for its side is a misread;
- turning a leaf shows its verso on the left of the next spread, so between the right
  page of one spread image and the left page of the next no page can be missing: a jump
  there means an image was skipped or a number misread;
- a scan holding as many pages as the edition has cannot miss any.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

TRUSTED_CONFIDENCE = 80.0
# Sure reads on spread sides needed to learn the side of the odd pages (else: the right).
PARITY_MIN_READS = 4
PARITY_AGREEMENT = 0.75


@dataclass(frozen=True, slots=True)
class Gap:
    after: int | None  # page number before the gap (None: the gap starts the booklet)
    before: int | None  # page number after it (None: it ends the booklet)
    missing: tuple[int, ...]  # numbers surely missing (when they can be named)
    count: int  # how many numbers are missing
    after_index: int | None  # index (scan order) of the page before the gap
    before_index: int | None

    @property
    def interior(self) -> bool:
        return self.after is not None and self.before is not None


@dataclass(slots=True)
class Sequence:
    numbers: list[int | None]  # per page in scan order: number read or inferred
    inferred: list[bool]  # True where the number was inferred from the neighbours
    misread: list[int]  # indices whose read broke the order (treated as unread)
    gaps: list[Gap] = field(default_factory=list)
    uncertain: list[tuple[int | None, int | None, int]] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    unread: list[int] = field(default_factory=list)  # indices left without a number

    @property
    def missing(self) -> list[int]:
        return sorted(n for gap in self.gaps for n in gap.missing)


def _longest_increasing(values: list[tuple[int, int]]) -> list[int]:
    """Indices (into ``values``) of the longest strictly increasing run by number."""
    best: list[list[int]] = []
    for i, (_index, number) in enumerate(values):
        chain = [i]
        for j in range(i):
            if values[j][1] < number and len(best[j]) + 1 > len(chain):
                chain = [*best[j], i]
        best.append(chain)
    return max(best, key=len) if best else []


def analyse(
    reads: list[int | None],
    confidences: list[float],
    page_count: int | None,
    *,
    first_number: int = 1,
    sides: list[str] | None = None,
    images: list[int] | None = None,
    pages_seen: int | None = None,
) -> Sequence:
    """Assign numbers to the pages and find the gaps (see the module docstring).

    ``sides``: per page, its side of the image (``left``/``right`` on a spread); ``images``:
    per page, the image it was cut from; ``pages_seen``: pages in the scan that show a
    number or the data page (compared with ``page_count``)."""
    n = len(reads)
    sides = sides or ["single"] * n
    images = images if images is not None else list(range(n))
    recto_parity = _recto_parity(reads, confidences, sides)
    raw = reads
    reads = [
        None
        if r is not None
        and sides[i] in ("left", "right")
        and (r % 2 == recto_parity) != (sides[i] == "right")
        else r
        for i, r in enumerate(reads)
    ]
    candidates = [(i, r) for i, r in enumerate(reads) if r is not None]
    keep = {candidates[k][0] for k in _longest_increasing(candidates)}
    numbers: list[int | None] = [r if i in keep else None for i, r in enumerate(reads)]
    misread = [i for i, r in enumerate(raw) if r is not None and i not in keep]
    inferred = [False] * n
    anchors = [i for i in range(n) if numbers[i] is not None]

    def trusted(i: int) -> bool:
        number = numbers[i]
        assert number is not None
        if confidences[i] >= TRUSTED_CONFIDENCE:
            return True
        before = next((numbers[j] for j in range(i - 1, -1, -1) if numbers[j] is not None), None)
        after = next((numbers[j] for j in range(i + 1, n) if numbers[j] is not None), None)
        return (before is not None and before == number - (i - _prev(numbers, i))) or (
            after is not None and after == number + (_next(numbers, i) - i)
        )

    seq = Sequence(numbers=numbers, inferred=inferred, misread=misread)
    # Between anchors.
    for a, b in itertools.pairwise(anchors):
        na, nb = numbers[a], numbers[b]
        assert na is not None and nb is not None
        between = b - a - 1
        room = nb - na - 1
        if room == between:
            for k in range(1, between + 1):
                numbers[a + k], inferred[a + k] = na + k, True
        elif room > between:
            count = room - between
            whole_leaves = count % 2 == 0 and (between > 0 or (na + 1) % 2 == recto_parity)
            turned_leaf = (
                between == 0
                and images[a] != images[b]
                and (sides[a], sides[b]) == ("right", "left")
            )
            full = page_count is not None and pages_seen is not None and pages_seen >= page_count
            if trusted(a) and trusted(b) and whole_leaves and not turned_leaf and not full:
                missing = tuple(range(na + 1, nb)) if between == 0 else ()
                seq.gaps.append(Gap(na, nb, missing, room - between, a, b))
            else:
                seq.uncertain.append((na, nb, room - between))
        else:
            seq.duplicates.extend(range(a + 1, b))
    # Before the first anchor and after the last.
    if anchors:
        first, last = anchors[0], anchors[-1]
        nf, nl = numbers[first], numbers[last]
        assert nf is not None and nl is not None
        lead_room = nf - first_number
        if lead_room >= first:
            for k in range(1, first + 1):
                numbers[first - k], inferred[first - k] = nf - k, True
            if lead_room > first and trusted(first):
                count = lead_room - first
                seq.gaps.append(
                    Gap(
                        None,
                        nf,
                        tuple(range(first_number, first_number + count)),
                        count,
                        None,
                        first,
                    )
                )
        if page_count is not None:
            tail_room = page_count - nl
            after = n - 1 - last
            if tail_room >= after:
                for k in range(1, after + 1):
                    numbers[last + k], inferred[last + k] = nl + k, True
                if tail_room > after and trusted(last):
                    count = tail_room - after
                    seq.gaps.append(
                        Gap(
                            nl,
                            None,
                            tuple(range(page_count - count + 1, page_count + 1)),
                            count,
                            last,
                            None,
                        )
                    )
    seq.unread = [i for i in range(n) if numbers[i] is None]
    return seq


def _recto_parity(reads: list[int | None], confidences: list[float], sides: list[str]) -> int:
    """Parity of the numbers on right-hand pages (rectos): odd unless the booklet's own
    sure reads on spreads clearly say even."""
    votes = [
        (r % 2 == 1) == (side == "right")
        for r, c, side in zip(reads, confidences, sides, strict=True)
        if r is not None and c >= TRUSTED_CONFIDENCE and side in ("left", "right")
    ]
    if len(votes) >= PARITY_MIN_READS and votes.count(False) >= PARITY_AGREEMENT * len(votes):
        return 0
    return 1


def _prev(numbers: list[int | None], i: int) -> int:
    return next((j for j in range(i - 1, -1, -1) if numbers[j] is not None), i)


def _next(numbers: list[int | None], i: int) -> int:
    return next((j for j in range(i + 1, len(numbers)) if numbers[j] is not None), i)
