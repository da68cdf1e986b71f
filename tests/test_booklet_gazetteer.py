"""The gazetteer of crossing points: complete for the research's names, sourced, matched
in Latin and Cyrillic."""

from __future__ import annotations

import pytest

from screening.booklet.gazetteer import ILLUSTRATIVE, load_gazetteer

# Named in issue 12 and ../shared/DOMAIN.md.
REQUIRED = [
    "Manas",
    "Osh airport",
    "Torugart",
    "Irkeshtam",
    "Ak-Zhol",
    "Kordai",
    "Merke",
    "Zhibek Zholy",
    "Dostuk",
    "Dushanbe",
]


@pytest.mark.parametrize("name", REQUIRED)
def test_research_names_are_in_the_gazetteer(name: str) -> None:
    match = load_gazetteer().match(name)
    assert match is not None and match.score > 0.9, name


def test_batken_area_crossings_are_listed() -> None:
    batken = [
        p
        for p in load_gazetteer().points
        if p.id in ("KGZ-KYZYL-BEL", "KGZ-KAIRAGACH", "KGZ-KARAMYK")
    ]
    assert len(batken) == 3


def test_every_point_cites_a_source_and_pairs_are_mutual() -> None:
    gazetteer = load_gazetteer()
    for point in gazetteer.points:
        assert point.source == ILLUSTRATIVE or point.source in gazetteer.sources
        if point.pair:
            assert gazetteer.get(point.pair).pair == point.id
        if point.coordinates:
            lat, lon = point.coordinates
            assert 30 < lat < 50 and 60 < lon < 90, point.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ТОРУГАРТ-АВТО", "KGZ-TORUGART"),
        ("АКЖОЛ-АВТОДОРОЖНЫЙ", "KGZ-AK-ZHOL"),
        ("KORDAY", "KAZ-KORDAI"),
        ("JIBEK JOLY", "KAZ-ZHIBEK-ZHOLY"),
        ("T0RUGART", "KGZ-TORUGART"),  # an OCR slip
        ("АЭРОПОРТ ОШ", "KGZ-OSH-AIRPORT"),
    ],
)
def test_names_match_in_either_script(text: str, expected: str) -> None:
    match = load_gazetteer().match(text)
    assert match is not None and match.point.id == expected


@pytest.mark.parametrize("text", ["KYRGYZSTAN", "27.10.2006", "POSHTA", "ВЪЕЗД 92"])
def test_other_words_match_no_point(text: str) -> None:
    assert load_gazetteer().match(text) is None


@pytest.mark.parametrize(
    ("words", "direction"),
    [
        (["ВЪЕЗД", "92"], "entry"),
        (["EXIT"], "exit"),
        (["КІРУ"], "entry"),
        (["ENTRY", "EXIT"], None),
    ],
)
def test_direction_words(words: list[str], direction: str | None) -> None:
    assert load_gazetteer().direction(words) == direction


def test_editions_printing_the_number_on_every_page_say_where_that_comes_from() -> None:
    from screening.documents.registry import load_registry

    registry = load_registry()
    stated = [e for e in registry.editions if e.number_on_every_page]
    assert "KGZ-P-2004" in {e.id for e in stated}
    for edition in stated:
        origin = edition.provenance.get("number_on_every_page")
        assert origin == ILLUSTRATIVE or origin in registry.sources, edition.id
