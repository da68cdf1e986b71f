"""The page sets the batch benchmark screens: any registered specimen family, by name.

``house`` is ``fixtures.specimens.generate_set`` (TD1/TD2/TD3 pages of 13 states, clean
scans to phone photos, about a fifth altered or without MRZ); every other name is a
family of ``fixtures.families.FAMILIES`` drawn with its ``reading`` plan. Sets are cached
under ``benchmarks/out/``. Several families make one flat folder of links (a sub-folder
of a few pages would be screened as one booklet).
"""

from __future__ import annotations

import math
from pathlib import Path

HOUSE = "house"


def family_set(family: str, n: int, seed: int, cache: Path) -> Path:
    """``n`` pages of ``family`` (generated once, then reused)."""
    if family == HOUSE:
        from fixtures.specimens import generate_set as generate_house

        folder = cache / f"batch-set-{seed}-{n}"  # the name earlier figures were taken on
        if not (folder / "manifest.json").is_file():
            print(f"generating {n} {family} pages into {folder} ...", flush=True)
            generate_house(folder, n, seed)
        return folder
    from fixtures.families import FAMILIES, generate_set, plan

    if family not in FAMILIES:
        known = ", ".join([HOUSE, *sorted(FAMILIES)])
        raise SystemExit(f"unknown family {family!r}; known: {known}")
    folder = cache / f"batch-{family}-{seed}-{n}"
    if not (folder / "manifest.jsonl").is_file():
        print(f"generating {n} {family} pages into {folder} ...", flush=True)
        generate_set(family, plan("reading", n, seed), folder)
    return folder


def batch_set(families: list[str], n: int, seed: int, cache: Path) -> Path:
    """``n`` pages shared out over ``families``, as one folder of images."""
    if len(families) == 1:
        return family_set(families[0], n, seed, cache)
    share = math.ceil(n / len(families))
    folder = cache / f"batch-{'+'.join(families)}-{seed}-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    for family in families:
        source = family_set(family, share, seed, cache)
        for path in sorted(source.iterdir()):
            if path.suffix.lower() in {".json", ".jsonl"}:
                continue  # the generators' truth files: not inputs
            link = folder / f"{family}-{path.name}"
            if not link.is_symlink():
                link.symlink_to(path.resolve())
    return folder
