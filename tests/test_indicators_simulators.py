"""The ranking, measured on the simulator the scoring was not tuned on (``travellers``),
and on the one it was (``flows``): injected corridors found, decoys and noise not
reported. One seed each here; several seeds in the slow run and the benchmark."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.traffic import flows, travellers
from fixtures.traffic.measure import run

SMALL = {"scale": 0.01, "corridor_scale": 0.4}


@pytest.mark.parametrize(
    "simulate", [flows.simulate, travellers.simulate], ids=["flows", "travellers"]
)
def test_a_simulator_is_reproducible_from_its_seed(simulate) -> None:  # type: ignore[no-untyped-def]
    a, b = simulate(5, scale=0.001), simulate(5, scale=0.001)
    assert a.events == b.events and a.injected == b.injected
    assert simulate(6, scale=0.001).events != a.events


@pytest.mark.parametrize(
    ("simulate", "seed"),
    [(travellers.simulate, 21), (flows.simulate, 21)],
    ids=["travellers (not tuned on)", "flows (tuned on)"],
)
def test_injected_corridors_are_found_and_decoys_are_not(
    simulate, seed: int, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    result = run(simulate, seed, tmp_path, **SMALL)
    recovery = result["recovery"]
    assert recovery["false"] == [], result["decoys"]
    assert recovery["found"] >= recovery["injected"] - 1, recovery["missed"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [31, 32, 33, 34])
@pytest.mark.parametrize(
    "simulate", [flows.simulate, travellers.simulate], ids=["flows", "travellers"]
)
def test_ranking_over_seeds(simulate, seed: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    recovery = run(simulate, seed, tmp_path, scale=0.1, corridor_scale=1.0)["recovery"]
    assert recovery["precision"] >= 0.75 and recovery["recall"] >= 0.66, recovery
