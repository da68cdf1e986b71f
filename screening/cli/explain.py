"""``screening explain IMAGE --out FILE.html [--png FILE.png]``: the annotated view of one
scan, for trainers and for anyone who wants to see why a verdict was given."""

from __future__ import annotations

from pathlib import Path

import click

from screening.batch.files import write_atomic
from screening.cli.options import lists_url_option, no_lists_option, parse_today, today_option
from screening.errors import BadArgumentsError, InputFileError
from screening.imaging.load import load_image
from screening.pipeline import ScanOptions
from screening.report.annotate import outlines
from screening.report.details import DETAIL_STAGES
from screening.report.explain_html import explain_page
from screening.report.picture import draw_outlines, encode
from screening.session import ScreeningSession, SessionOptions
from screening.settings import Settings


@click.command("explain")
@click.argument("image", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    "html_out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the annotated view as one self-contained HTML file (opens offline).",
)
@click.option(
    "--png",
    "png_out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the page with every region outlined and numbered as a PNG.",
)
@today_option
@lists_url_option
@no_lists_option
@click.option("--no-tesseract", is_flag=True, help="Use only our own OCR-B reader.")
@click.option(
    "--photo-check",
    is_flag=True,
    help="Also score the photo for substitution (calibrated on synthetic pages only).",
)
def explain(
    image: Path,
    html_out: Path | None,
    png_out: Path | None,
    today: str | None,
    lists_url: str | None,
    no_lists: bool,
    no_tesseract: bool,
    photo_check: bool,
) -> None:
    """Screen IMAGE as `scan` does and draw what was found on it.

    The MRZ zone with each character's confidence, the printed fields matched to the
    MRZ, the photo region and every finding's region outlined with its reason.

    Example: screening explain fixtures/samples/td3-kgz-clean-viz-surname-shifted.png
    --today 2026-11-28 --out explain.html --png explain.png
    """
    if html_out is None and png_out is None:
        raise BadArgumentsError("give --out FILE.html, --png FILE.png or both")
    loaded = load_image(image)  # a file that is not an image stops here, before screening
    settings = Settings(today=parse_today(today), lists_url=lists_url)
    options = ScanOptions(use_tesseract=not no_tesseract)
    session_options = SessionOptions(check_lists=not no_lists, check_photo=photo_check)
    with ScreeningSession.open(settings, options, session_options) as session:
        report = session.scan(image, extra_stages=DETAIL_STAGES).to_dict()
    if report.get("error"):
        raise InputFileError(f"{image}: {report['error']}")
    bgr = loaded.bgr
    if html_out is not None:
        page = explain_page(report, bgr, title=image.name)
        write_atomic(html_out, page.encode("utf-8"))
        click.echo(f"wrote {html_out}")
    if png_out is not None:
        size = (bgr.shape[1], bgr.shape[0])
        write_atomic(png_out, encode(draw_outlines(bgr, outlines(report, size)), kind="png"))
        click.echo(f"wrote {png_out}")
    verdict = str(report.get("verdict") or "error").upper()
    codes = ", ".join(f["code"] for f in report.get("findings") or []) or "no findings"
    click.echo(f"{image.name}: {verdict} ({codes})")
