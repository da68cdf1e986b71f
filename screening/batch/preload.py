"""Imported once by the local pool's fork server, before any worker is forked from it.

Loading the models here means every worker (and every replacement for a worker that
died) starts with them in memory, shared copy-on-write, instead of each reading them
again: a crashed worker is replaced in milliseconds, and N workers do not hold N copies.
"""

from __future__ import annotations

import contextlib

from screening.errors import ScreeningError


def warm_models() -> None:
    """Load what every screening uses. A missing model is left for the worker's own
    load to report (as a typed error that stops the run)."""
    from screening.documents.legacy import load_model as load_handfilled_model
    from screening.documents.registry import load_registry
    from screening.imaging.ocrb import load_classifier

    for load in (load_classifier, load_handfilled_model, load_registry):
        with contextlib.suppress(ScreeningError, OSError):
            load()


warm_models()
