"""MRZ layouts as data: where each field and check digit sits, per format.

Positions are 0-based half-open slices into a line here; findings report them 1-based
inclusive, as ICAO 9303 numbers them. A check digit's ``spans`` are concatenated, in
order, to form the text it protects.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FieldKind(StrEnum):
    DOC_TYPE = "doc_type"
    COUNTRY = "country"
    NAME = "name"
    NUMBER = "number"  # alphanumeric with fillers (document number, optional data)
    DATE = "date"
    SEX = "sex"
    CHECK = "check"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    line: int
    start: int
    end: int
    kind: FieldKind

    @property
    def positions(self) -> tuple[int, int]:
        """1-based inclusive positions, as in ICAO 9303 and in findings."""
        return (self.start + 1, self.end)


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A check digit at ``(line, index)`` over the concatenation of ``spans``."""

    name: str
    line: int
    index: int
    spans: tuple[tuple[int, int, int], ...]
    protects: str  # the field name whose value the digit protects ("composite" for all)
    may_be_filler_when_empty: bool = False


@dataclass(frozen=True, slots=True)
class MrzFormat:
    name: str
    line_count: int
    line_length: int
    fields: tuple[FieldSpec, ...]
    checks: tuple[CheckSpec, ...]
    # Allowed first characters of the document code for this format.
    doc_type_first: frozenset[str]
    description: str

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)


K = FieldKind

# TD3 passports (2 x 44), Part 4.
TD3 = MrzFormat(
    name="TD3",
    line_count=2,
    line_length=44,
    description="passport booklet (ICAO 9303 Part 4)",
    doc_type_first=frozenset("P"),
    fields=(
        FieldSpec("document_type", 0, 0, 2, K.DOC_TYPE),
        FieldSpec("issuing_country", 0, 2, 5, K.COUNTRY),
        FieldSpec("name", 0, 5, 44, K.NAME),
        FieldSpec("document_number", 1, 0, 9, K.NUMBER),
        FieldSpec("document_number_check", 1, 9, 10, K.CHECK),
        FieldSpec("nationality", 1, 10, 13, K.COUNTRY),
        FieldSpec("birth_date", 1, 13, 19, K.DATE),
        FieldSpec("birth_date_check", 1, 19, 20, K.CHECK),
        FieldSpec("sex", 1, 20, 21, K.SEX),
        FieldSpec("expiry_date", 1, 21, 27, K.DATE),
        FieldSpec("expiry_date_check", 1, 27, 28, K.CHECK),
        FieldSpec("optional_data", 1, 28, 42, K.NUMBER),
        FieldSpec("optional_data_check", 1, 42, 43, K.CHECK),
        FieldSpec("composite_check", 1, 43, 44, K.CHECK),
    ),
    checks=(
        CheckSpec("document_number", 1, 9, ((1, 0, 9),), "document_number"),
        CheckSpec("birth_date", 1, 19, ((1, 13, 19),), "birth_date"),
        CheckSpec("expiry_date", 1, 27, ((1, 21, 27),), "expiry_date"),
        CheckSpec(
            "optional_data",
            1,
            42,
            ((1, 28, 42),),
            "optional_data",
            may_be_filler_when_empty=True,
        ),
        CheckSpec("composite", 1, 43, ((1, 0, 10), (1, 13, 20), (1, 21, 43)), "composite"),
    ),
)

# TD2 cards and documents (2 x 36), Part 6.
TD2 = MrzFormat(
    name="TD2",
    line_count=2,
    line_length=36,
    description="TD2 card or document (ICAO 9303 Part 6)",
    doc_type_first=frozenset("ACI"),
    fields=(
        FieldSpec("document_type", 0, 0, 2, K.DOC_TYPE),
        FieldSpec("issuing_country", 0, 2, 5, K.COUNTRY),
        FieldSpec("name", 0, 5, 36, K.NAME),
        FieldSpec("document_number", 1, 0, 9, K.NUMBER),
        FieldSpec("document_number_check", 1, 9, 10, K.CHECK),
        FieldSpec("nationality", 1, 10, 13, K.COUNTRY),
        FieldSpec("birth_date", 1, 13, 19, K.DATE),
        FieldSpec("birth_date_check", 1, 19, 20, K.CHECK),
        FieldSpec("sex", 1, 20, 21, K.SEX),
        FieldSpec("expiry_date", 1, 21, 27, K.DATE),
        FieldSpec("expiry_date_check", 1, 27, 28, K.CHECK),
        FieldSpec("optional_data", 1, 28, 35, K.NUMBER),
        FieldSpec("composite_check", 1, 35, 36, K.CHECK),
    ),
    checks=(
        CheckSpec("document_number", 1, 9, ((1, 0, 9),), "document_number"),
        CheckSpec("birth_date", 1, 19, ((1, 13, 19),), "birth_date"),
        CheckSpec("expiry_date", 1, 27, ((1, 21, 27),), "expiry_date"),
        CheckSpec("composite", 1, 35, ((1, 0, 10), (1, 13, 20), (1, 21, 35)), "composite"),
    ),
)

# TD1 cards (3 x 30), Part 5.
TD1 = MrzFormat(
    name="TD1",
    line_count=3,
    line_length=30,
    description="TD1 identity card (ICAO 9303 Part 5)",
    doc_type_first=frozenset("ACI"),
    fields=(
        FieldSpec("document_type", 0, 0, 2, K.DOC_TYPE),
        FieldSpec("issuing_country", 0, 2, 5, K.COUNTRY),
        FieldSpec("document_number", 0, 5, 14, K.NUMBER),
        FieldSpec("document_number_check", 0, 14, 15, K.CHECK),
        FieldSpec("optional_data", 0, 15, 30, K.NUMBER),
        FieldSpec("birth_date", 1, 0, 6, K.DATE),
        FieldSpec("birth_date_check", 1, 6, 7, K.CHECK),
        FieldSpec("sex", 1, 7, 8, K.SEX),
        FieldSpec("expiry_date", 1, 8, 14, K.DATE),
        FieldSpec("expiry_date_check", 1, 14, 15, K.CHECK),
        FieldSpec("nationality", 1, 15, 18, K.COUNTRY),
        FieldSpec("optional_data_2", 1, 18, 29, K.NUMBER),
        FieldSpec("composite_check", 1, 29, 30, K.CHECK),
        FieldSpec("name", 2, 0, 30, K.NAME),
    ),
    checks=(
        CheckSpec("document_number", 0, 14, ((0, 5, 14),), "document_number"),
        CheckSpec("birth_date", 1, 6, ((1, 0, 6),), "birth_date"),
        CheckSpec("expiry_date", 1, 14, ((1, 8, 14),), "expiry_date"),
        CheckSpec(
            "composite", 1, 29, ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)), "composite"
        ),
    ),
)


def _visa(name: str, length: int, description: str) -> MrzFormat:
    return MrzFormat(
        name=name,
        line_count=2,
        line_length=length,
        description=description,
        doc_type_first=frozenset("V"),
        fields=(
            FieldSpec("document_type", 0, 0, 2, K.DOC_TYPE),
            FieldSpec("issuing_country", 0, 2, 5, K.COUNTRY),
            FieldSpec("name", 0, 5, length, K.NAME),
            FieldSpec("document_number", 1, 0, 9, K.NUMBER),
            FieldSpec("document_number_check", 1, 9, 10, K.CHECK),
            FieldSpec("nationality", 1, 10, 13, K.COUNTRY),
            FieldSpec("birth_date", 1, 13, 19, K.DATE),
            FieldSpec("birth_date_check", 1, 19, 20, K.CHECK),
            FieldSpec("sex", 1, 20, 21, K.SEX),
            FieldSpec("expiry_date", 1, 21, 27, K.DATE),
            FieldSpec("expiry_date_check", 1, 27, 28, K.CHECK),
            FieldSpec("optional_data", 1, 28, length, K.NUMBER),
        ),
        # Visas carry no composite check digit (Part 7).
        checks=(
            CheckSpec("document_number", 1, 9, ((1, 0, 9),), "document_number"),
            CheckSpec("birth_date", 1, 19, ((1, 13, 19),), "birth_date"),
            CheckSpec("expiry_date", 1, 27, ((1, 21, 27),), "expiry_date"),
        ),
    )


MRVA = _visa("MRVA", 44, "machine readable visa, format A (ICAO 9303 Part 7)")
MRVB = _visa("MRVB", 36, "machine readable visa, format B (ICAO 9303 Part 7)")

ALL_FORMATS: tuple[MrzFormat, ...] = (TD1, TD2, TD3, MRVA, MRVB)
FORMATS_BY_NAME = {f.name: f for f in ALL_FORMATS}


def detect_format(lines: list[str]) -> MrzFormat | None:
    """The ICAO format whose shape the lines have, or ``None``.

    Shape decides (line count and length); among the two-line shapes the first
    character separates visas (``V``) from passports and cards.
    """
    if not lines:
        return None
    lengths = {len(line) for line in lines}
    if len(lengths) != 1:
        return None
    length = lengths.pop()
    visa = lines[0][:1] == "V"
    match (len(lines), length):
        case (3, 30):
            return TD1
        case (2, 44):
            return MRVA if visa else TD3
        case (2, 36):
            return MRVB if visa else TD2
    return None
