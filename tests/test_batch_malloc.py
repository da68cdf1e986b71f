"""Workers keep their image buffers: pinning glibc's malloc thresholds undoes what Dask's
``MALLOC_TRIM_THRESHOLD_`` does to a worker (a fresh, kernel-zeroed mapping for every
large buffer)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

PROBE = """
from screening.batch.malloc import pin_malloc_thresholds
from tests.batch_helpers import buffer_faults
buffer_faults(2)  # warm up
before = buffer_faults()
pinned = pin_malloc_thresholds()
after = buffer_faults()
print(before, pinned, after)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_pinned_thresholds_stop_a_fresh_mapping_per_buffer() -> None:
    env = dict(os.environ, MALLOC_TRIM_THRESHOLD_="65536")  # what Dask's nanny sets
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    before, pinned, after = done.stdout.split()
    assert pinned == "True"
    # 40 buffers of 2,048 pages each: mapped afresh every time, then reused.
    assert int(before) > 40 * 1500
    assert int(after) < int(before) / 20
