"""``benchmarks.viz_families`` takes any registered family by name: the held-out family
the lead runs after merging is registered in ``fixtures.families.FAMILIES`` and must need
nothing here."""

from __future__ import annotations

import pytest

from benchmarks import viz_families
from fixtures import families


def test_registered_families_are_accepted_several_at_once() -> None:
    names = ",".join(sorted(families.FAMILIES))
    assert viz_families.family_names(f"house, {names},realworld") == [
        "house",
        *sorted(families.FAMILIES),
        "realworld",
    ]


def test_a_family_registered_later_needs_no_change(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(families.FAMILIES, "newcomer", "fixtures.families.newcomer")
    assert viz_families.family_names("newcomer,house") == ["newcomer", "house"]


@pytest.mark.parametrize("text", ["nosuch", "house,nosuch", ""])
def test_unknown_names_are_refused_naming_the_known_ones(text: str) -> None:
    with pytest.raises(ValueError, match=r"known: .*house"):
        viz_families.family_names(text)


def test_the_command_line_refuses_an_unknown_family(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        viz_families.main(["--family", "nosuch"])
    assert "unknown family nosuch" in capsys.readouterr().err
