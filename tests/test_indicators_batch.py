"""A batch records each input once: not the broken file, not again on resume, not again
when restarted (the event id is the input's content digest)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from screening.batch import BatchOptions, run_batch
from screening.indicators.config import RecordingConfig
from screening.indicators.record import EventRecorder, batch_recorder
from screening.indicators.store import open_event_store
from screening.settings import Settings
from tests.batch_helpers import FAST, TODAY, make_inputs

QUICK = BatchOptions(today=date.fromisoformat(TODAY), check_lists=False, check_viz=False, workers=0)


def test_each_input_is_recorded_once_across_resume_and_restart(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", FAST[:2])
    (inputs / "broken.jpg").write_bytes(b"\xff\xd8\xff truncated")
    url = f"sqlite:///{tmp_path / 'events.db'}"
    config = RecordingConfig.resolve(
        Settings(data_dir=tmp_path / "data"), checkpoint="Osh", direction="entry", events_url=url
    )

    def run(options: BatchOptions) -> int:
        recorder = EventRecorder(config, spool_dir=tmp_path / "data")
        summary = run_batch(inputs, tmp_path / "out", options, record=batch_recorder(recorder))
        recorder.close()
        return summary.screened_now

    assert run(QUICK) == 3
    assert run(QUICK) == 0  # resumed: nothing screened, nothing recorded
    assert run(replace(QUICK, restart=True)) == 3  # screened again, same ids
    with open_event_store(url) as store:
        rows = store._execute("SELECT event_id, source, checkpoint, direction FROM events")
    assert len(rows) == 2
    assert all(
        r[0].startswith("batch:") and r[1:] == ("batch", "KGZ-OSH-AIRPORT", "entry") for r in rows
    )
