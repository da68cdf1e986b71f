"""Visual zone vs MRZ: read the printed page without a template and compare it with the
MRZ. One module per job: :mod:`page` (where to look), :mod:`lines` (find text lines),
:mod:`ocr` (read them), :mod:`values` (dates and names as text), :mod:`match` (MRZ field
printed, or another value of it), :mod:`compare` (the stage: budgeted reads,
confirmation, findings)."""

from screening.imaging.viz.compare import VizOutcome, compare_viz

__all__ = ["VizOutcome", "compare_viz"]
