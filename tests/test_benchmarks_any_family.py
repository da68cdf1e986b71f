"""The MRZ benchmarks take any family registered in fixtures.families by name: the held-out
family of an acceptance run is added to the registry, never to the benchmark code."""

from __future__ import annotations

from pathlib import Path

import pytest

import benchmarks.mrz_families as mrz_families
import benchmarks.mrz_speed as mrz_speed
from fixtures import families


@pytest.fixture
def newcomer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A family the benchmarks have never heard of (atlas's code under a new name)."""
    monkeypatch.setitem(families.FAMILIES, "newcomer", families.FAMILIES["atlas"])
    monkeypatch.setattr(mrz_families, "OUT_DIR", tmp_path)
    return "newcomer"


def test_mrz_families_reports_a_newly_registered_family(
    newcomer: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--quick", "--families", newcomer, "-n", "2", "--blur-n", "0", "--pe", "0"]
    assert mrz_families.main([*args, "--no-real"]) == 0
    out = capsys.readouterr().out
    assert f"## {newcomer} (not looked at)" in out
    assert "| all | 2 |" in out


def test_mrz_speed_times_a_newly_registered_family(
    newcomer: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert mrz_speed.main(["--quick", "--families", newcomer, "-n", "2", "--pe", "0"]) == 0
    out = capsys.readouterr().out
    assert f"## {newcomer} (not looked at)" in out
    assert "| all | 2 |" in out


def test_an_unknown_family_is_refused_with_the_known_names() -> None:
    with pytest.raises(SystemExit):
        mrz_speed.main(["--families", "no-such-family"])
