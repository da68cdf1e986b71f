"""``screening specimen``: render synthetic document specimens with ground truth.

A thin wrapper over :mod:`fixtures.specimens` (also runnable as ``python -m fixtures``).
"""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from screening.cli.specimen_booklet import booklet

_CAPTURES = ("clean", "mild", "hard", "clean_scan", "phone", "phone_photo")


@click.group("specimen", invoke_without_command=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["TD3", "TD2", "TD1"]),
    default=None,
    help="Document format (default: random per specimen).",
)
@click.option(
    "--state",
    default=None,
    metavar="CODE",
    help="Issuing state, ICAO code: KGZ KAZ TJK UZB RUS BGD PAK AFG IND CHN IRQ LKA "
    "UTO (default: random).",
)
@click.option(
    "--capture",
    type=click.Choice(_CAPTURES),
    default="clean",
    show_default=True,
    help="Capture conditions: flat scan, mild scan, or hard phone photo.",
)
@click.option(
    "--defect",
    "defects",
    multiple=True,
    metavar="KIND[:TARGET[:LEVEL]]",
    help="wrong_check_digit[:check], mrz_recomputed[:field], "
    "viz_altered[:field[:crude|shifted|lighter|erased_patch]]. Repeatable.",
)
@click.option(
    "--kind",
    "page_kind",
    type=click.Choice(["data_page", "no_mrz", "handfilled", "typed_legacy"]),
    default="data_page",
    show_default=True,
    help="no_mrz: a printed page without MRZ; handfilled / typed_legacy: the 1994 Kyrgyz "
    "form filled by hand / on a typewriter.",
)
@click.option(
    "--edition",
    default=None,
    metavar="ID",
    help="A page of this edition (screening editions lists them): sets --state, and "
    "--kind handfilled for KGZ-P-1994.",
)
@click.option(
    "--dpi",
    type=click.IntRange(150, 600),
    default=300,
    show_default=True,
    help="Rendering resolution of the page.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed; specimen i of --count uses seed + i.",
)
@click.option("--count", type=click.IntRange(1, 100_000), default=1, show_default=True)
@click.option(
    "--mixed",
    is_flag=True,
    help="Write a benchmark-style mix of formats, states, captures and defects "
    "(ignores --format/--state/--capture/--defect) plus manifest.json.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (created if missing). Required unless a subcommand is given.",
)
@click.pass_context
def specimen(
    ctx: click.Context,
    fmt: str | None,
    state: str | None,
    capture: str,
    defects: tuple[str, ...],
    page_kind: str,
    edition: str | None,
    dpi: int,
    seed: int,
    count: int,
    mixed: bool,
    out_dir: Path | None,
) -> None:
    """Render synthetic specimens: an image (PNG/JPEG) and a ground-truth JSON each.

    \b
    A specimen with a chosen defect for an exercise: pick the issuing state, the
    format, the capture quality and the defect (field and how it was done), e.g.
      screening specimen --format TD3 --state KGZ --capture hard \\
          --defect viz_altered:surname:shifted --seed 7 --out /tmp/specimens
    Defects (repeatable, one of each kind):
      wrong_check_digit[:document_number|birth_date|expiry_date|optional_data|composite]
      mrz_recomputed[:document_number|birth_date|expiry_date|surname]
      viz_altered[:FIELD[:crude|shifted|lighter|erased_patch]]  FIELD: surname,
        given_names, document_number, birth_date, expiry_date, issue_date,
        place_of_birth, sex
      photo_substituted[:seal_missing|seal_redrawn|edge|texture]  (alone)
    The same --seed with and without a data-page defect gives the same page: the
    genuine twin of the forged one. A withdrawn edition or a hand-filled page:
      screening specimen --edition KGZ-P-1994 --capture hard --out DIR
    Details: docs/specimens.md.

    \b
    A whole booklet with pulled leaves, a substituted leaf or a route break:
      screening specimen booklet --pulled 1 --stub --out DIR   (see its --help)
    The gallery of every forgery sign (genuine beside forged, screened, explained):
      screening specimen gallery --out DIR [--seed N] [--lang en|ru]
    """
    if ctx.invoked_subcommand is not None:
        return
    if out_dir is None:
        raise click.UsageError("Missing option '--out'.")
    from screening.gallery.makers import require_generator

    require_generator()  # the generator ships with the source tree only
    from fixtures.specimens import generate_set, random_spec, render_specimen

    if mixed:
        manifest = generate_set(out_dir, count, seed)
        click.echo(f"wrote {len(manifest)} specimens and manifest.json to {out_dir}")
        return
    if state is not None:
        state = state.upper()
    if edition is not None:
        from fixtures.exercise import edition_target

        state, edition_kind = edition_target(edition)
        page_kind = edition_kind if page_kind == "data_page" else page_kind
    if page_kind in ("handfilled", "typed_legacy") or any(
        d.startswith("photo_substituted") for d in defects
    ):
        from fixtures.exercise import render_exercise

        for i in range(count):
            exercise = render_exercise(
                kind=page_kind, state=state, fmt=fmt, capture=capture,
                defects=list(defects), seed=seed + i, dpi=dpi,
            )  # fmt: skip
            image_path, truth_path = exercise.save(out_dir)
            click.echo(f"{image_path}\t{truth_path}")
        return
    for i in range(count):
        item_seed = seed + i
        spec = random_spec(
            np.random.default_rng(item_seed), format=fmt, state=state, page_kind=page_kind, dpi=dpi
        )
        result = render_specimen(spec, capture=capture, defects=list(defects), seed=item_seed)
        tag = "-".join(d.replace(":", "_") for d in defects) or page_kind
        stem = f"{spec.state}-{spec.format}-{capture}-{tag}-{item_seed}"
        image_path, truth_path = result.save(out_dir, stem)
        click.echo(f"{image_path}\t{truth_path}")


@specimen.command("gallery")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for index.html, gallery.json and the specimens (created if missing).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the specimens.")
@click.option(
    "--lang",
    type=click.Choice(["en", "ru"]),
    default="en",
    show_default=True,
    help="Language of the page and the explanations.",
)
@click.option(
    "--section",
    "sections",
    multiple=True,
    metavar="KEY",
    help="Only these sections (repeatable; keys in screening/gallery/data/sections.toml).",
)
@click.option(
    "--dpi",
    type=click.IntRange(150, 400),
    default=200,
    show_default=True,
    help="Rendering resolution of the specimens.",
)
def gallery(out_dir: Path, seed: int, lang: str, sections: tuple[str, ...], dpi: int) -> None:
    """Render the trainers' gallery of forgery signs as a self-contained HTML page.

    One section per sign the screening detects: a genuine specimen beside a forged one,
    the screening result of each (run by the real screening), the sign outlined and
    enlarged, and what to look for by eye and why it matters. Opens offline
    (DIR/index.html); the specimens are in DIR/specimens for exercises.
    """
    from screening.gallery import build_gallery, write_gallery

    result = build_gallery(out_dir, seed=seed, lang=lang, keys=list(sections) or None, dpi=dpi)
    index = write_gallery(result, out_dir)
    missed = [r.section.key for r in result.results if not r.caught]
    click.echo(
        f"wrote {index}: {len(result.results)} sections"
        + (f", {len(result.missing)} signs without a section yet" if result.missing else "")
    )
    if missed:
        click.echo(f"the screening missed the sign in: {', '.join(missed)}")


specimen.add_command(booklet)
