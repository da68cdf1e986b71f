"""``screening specimen booklet``: a whole synthetic passport booklet with chosen defects
(pulled leaves with or without a torn stub, a leaf from another booklet, a route break)
for a trainer's exercise. A thin wrapper over :mod:`fixtures.booklet`; the generator's own
tables (models, styles, layouts, captures, route defects) decide what is accepted.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from screening.errors import BadArgumentsError, OutputFileError


@click.command("booklet")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the booklet (created if missing).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the booklet.")
@click.option(
    "--model",
    default="KGZ-2004",
    show_default=True,
    metavar="MODEL",
    help="Booklet model: KGZ-2004, KGZ-2006, KAZ-2009, TJK-2010, UZB-2011.",
)
@click.option(
    "--style",
    default="ledger",
    show_default=True,
    metavar="STYLE",
    help="How it is drawn: ledger, steppe or caravan (three independently written styles).",
)
@click.option(
    "--layout",
    default="spreads",
    show_default=True,
    metavar="LAYOUT",
    help="spreads (two facing pages per scan), singles or mixed.",
)
@click.option(
    "--capture",
    default="clean",
    show_default=True,
    metavar="CAPTURE",
    help="clean, mild or phone.",
)
@click.option(
    "--container",
    default="folder",
    show_default=True,
    metavar="KIND",
    help="folder (one image per scan), tiff (multi-page) or pdf.",
)
@click.option("--pulled", type=click.IntRange(0, 4), default=0, help="Leaves pulled out.")
@click.option(
    "--stub/--no-stub",
    default=None,
    help="Pulled leaves leave a torn stub in the binding (default: drawn at random).",
)
@click.option(
    "--substituted", type=click.IntRange(0, 4), default=0, help="Leaves from another booklet."
)
@click.option(
    "--substitution-sign",
    "substitution_signs",
    multiple=True,
    metavar="SIGN",
    help="What betrays a substituted leaf: number (another passport number printed on "
    "the page), tint, pattern, font. Repeatable (default: drawn at random).",
)
@click.option(
    "--route-defect",
    default=None,
    metavar="KIND",
    help="A route break: entry_removed, exit_removed, before_issue (a stamp dated "
    "before issue) or pair_inverted (an entry dated before the exit it follows).",
)
@click.option("--trips", type=click.IntRange(1, 12), default=None, help="Round trips stamped.")
@click.option(
    "--dpi",
    type=click.IntRange(150, 400),
    default=200,
    show_default=True,
    help="Rendering resolution (the booklet screening is measured at 200).",
)
def booklet(
    out_dir: Path,
    seed: int,
    model: str,
    style: str,
    layout: str,
    capture: str,
    container: str,
    pulled: int,
    stub: bool | None,
    substituted: int,
    substitution_signs: tuple[str, ...],
    route_defect: str | None,
    trips: int | None,
    dpi: int,
) -> None:
    """Render a whole passport booklet with chosen defects, for an exercise.

    Writes DIR/booklet-SEED (a folder of scans, a .tif or a .pdf) and its truth
    (.truth.json: pages present and missing, substituted leaves, stamps, route defects,
    the screening date), and prints a summary line (JSON).

    \b
    Screen it with:
      screening booklet DIR/booklet-SEED --today SCREENING_DATE
    e.g. a leaf pulled out leaving a stub, and a page from another booklet:
      screening specimen booklet --pulled 1 --stub --substituted 1 \\
          --substitution-sign number --seed 4 --out /tmp/exercise
    """
    from screening.gallery.makers import require_generator

    require_generator()
    from fixtures.booklet import MODELS, make_plan, render_booklet, write_booklet

    if model not in MODELS:
        raise BadArgumentsError(f"unknown booklet model {model!r}; known: {', '.join(MODELS)}")
    try:
        plan = make_plan(
            seed,
            model=model,
            pulled=pulled,
            stub=stub,
            substituted=substituted,
            substitution_signs=tuple(substitution_signs) or None,
            route_defect=route_defect,
            trips=trips,
        )
        rendered = render_booklet(plan, style, layout=layout, capture=capture, dpi=dpi)
    except ValueError as error:
        raise BadArgumentsError(f"cannot make this booklet: {error}") from None
    try:
        path = write_booklet(rendered, out_dir / f"booklet-{seed}", container=container)
    except ValueError as error:
        raise BadArgumentsError(str(error)) from None
    except OSError as error:
        raise OutputFileError(f"{out_dir}: cannot write ({error.strerror or error})") from None
    truth = rendered.truth
    summary = {
        "booklet": str(path),
        "screening_date": truth["screening_date"],
        "pages_missing": truth["pages_missing"],
        "substituted": [leaf["pages"] for leaf in truth["substituted"]],
        "route_defects": [d["kind"] for d in truth["route_defects"]],
    }
    click.echo(json.dumps(summary, ensure_ascii=False))
