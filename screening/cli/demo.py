"""``screening demo``: the main job on the bundled synthetic specimens.

Imports the synthetic demo lost/stolen list into a demo list store, screens every sample
image in ``fixtures/samples/`` and prints one line per document next to what the
generator says the document is, so a newcomer sees verdicts, reasons and timings at once.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import click

from screening.cli.options import parse_today
from screening.errors import InputFileError
from screening.lists import open_store
from screening.lists.importer import import_feed
from screening.session import ScreeningSession, SessionOptions
from screening.settings import Settings, default_data_dir

# The samples were generated to be valid on this date; screening them "today" would turn
# every one into an expired document as the years pass.
SAMPLES_DATE = date(2026, 11, 28)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}


def _fixtures_dir() -> Path:
    from importlib import resources

    return Path(str(resources.files("fixtures")))


def _expected(image: Path) -> str:
    truth_file = image.with_suffix(".json")
    if not truth_file.exists():
        return "?"
    truth = json.loads(truth_file.read_text("utf-8"))
    kinds = [d.get("kind", "") if isinstance(d, dict) else str(d) for d in truth.get("defects", [])]
    if truth.get("page_kind") not in (None, "data_page"):
        kinds.insert(0, str(truth["page_kind"]))
    return ", ".join(k for k in kinds if k) or "genuine"


@click.command("demo")
@click.option(
    "--samples",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of specimen images (default: the bundled fixtures/samples).",
)
@click.option(
    "--lists",
    "lists_url",
    default=None,
    metavar="URL",
    help="List store for the demo (default: demo-lists.db in the data dir).",
)
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    default=None,
    help=f"Screening date (default {SAMPLES_DATE}, the samples' reference date).",
)
def demo(samples: Path | None, lists_url: str | None, today: str | None) -> None:
    """Screen the bundled specimen documents and print the verdicts."""
    folder = samples or _fixtures_dir() / "samples"
    images = sorted(p for p in folder.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise InputFileError(f"no specimen images found in {folder}")
    url = lists_url or f"sqlite:///{default_data_dir() / 'demo-lists.db'}"
    settings = Settings(today=parse_today(today) if today else SAMPLES_DATE, lists_url=url)

    feed = _fixtures_dir() / "demo_lists.csv"
    store = open_store(url)
    try:
        imported = import_feed(store, feed, source="demo list (synthetic)")
    finally:
        store.close()
    click.echo(
        f"Lost/stolen list: imported {feed.name} as version {imported.version} "
        f"({imported.active_records} numbers, {imported.active_series} blank series) into {url}"
    )
    click.echo(
        f"Screening {len(images)} synthetic specimens from {folder} "
        f"(screening date {settings.today})\n"
    )
    click.echo(f"{'verdict':8} {'ms':>5}  {'file':42} {'generated as':28} reasons")
    verdicts: Counter[str] = Counter()
    with ScreeningSession.open(settings, options=SessionOptions()) as session:
        for image in images:
            report = session.scan(image)
            verdict = str(report.verdict).upper() if report.verdict else "ERROR"
            verdicts[verdict] += 1
            codes = sorted({f.code for f in report.findings if f.severity != "info"})
            reasons = ", ".join(codes) or "-"
            click.echo(
                f"{verdict:8} {report.elapsed_ms:5.0f}  {image.name:42} "
                f"{_expected(image)[:28]:28} {reasons}"
            )
    click.echo("\n" + ", ".join(f"{count} {name.lower()}" for name, count in verdicts.items()))
    click.echo("Details for one document: .venv/bin/screening scan --json IMAGE")
    click.echo(
        "Trainers: .venv/bin/screening explain IMAGE --out explain.html (annotated view); "
        ".venv/bin/screening specimen gallery --out gallery (forgery signs)"
    )
