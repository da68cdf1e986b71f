"""Whole-booklet screening: page sequence, torn stubs, substituted pages, stamps, route.

The one public entry point, used by ``screening booklet`` and by ``screening batch`` for a
sub-folder of page scans::

    from screening.booklet import screen_booklet
    with ScreeningSession.open(settings) as session:
        report = screen_booklet(session, "seized/booklet-017")   # folder, .tif or .pdf
        report.to_dict()   # the ``booklet --json`` object; ``error`` when unreadable
"""

from screening.booklet.report import BookletReport
from screening.booklet.screen import screen_booklet

__all__ = ["BookletReport", "screen_booklet"]
