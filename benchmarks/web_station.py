"""Benchmark of the web station (issue 15): time from upload to the officer's result.

    python -m benchmarks.web_station            # every bundled specimen, 3 rounds
    python -m benchmarks.web_station --quick    # 5 specimens, 1 round

A real station (``create_app`` over a SQLite station database, with the demo
lost/stolen list imported) is served by uvicorn on a loopback port, warmed up once as
``screening serve`` does, and driven over HTTP by one client, one request at a time:

- ``browser flow``: POST /screen (multipart upload) + GET of the result page the
  redirect points at (what the officer waits for: verdict, checklist, outlined image);
- ``api``: POST /api/scan with a bearer token (the ``scan --json`` object).

For each request: the wall time, the CPU time of the process and its children
(Tesseract) spent on it (``os.times``: it does not grow when other jobs share the
cores, so it says what the request costs on an idle machine, where one request runs
on one core), and the scan's own ``elapsed_ms`` (the pipeline), so
the station's overhead (upload parsing, history and audit writes, the photo box, the
display image, page rendering) is the difference. The browser flow's scan time is not
in its HTML, so its overhead is estimated against the API scan of the same image
made right after it (same process, same image: the same stages run). The CPU overhead
is the request's CPU less that of the same image screened through the station's
screener directly (scan, photo box, display image: no HTTP, no database, no page).
The specimens are the bundled ``fixtures/samples`` pages (synthetic); nothing was tuned
on this benchmark.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import httpx
import numpy as np

from screening.lists.importer import import_feed
from screening.lists.store import open_store
from screening.settings import Settings
from screening.web import accounts
from screening.web.app import create_app
from screening.web.config import StationConfig
from screening.web.runtime import StationRuntime
from screening.web.screener import Upload

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "fixtures" / "samples"
RESULTS = Path(__file__).resolve().parent / "results" / "web_station.md"
PASSWORD = "benchmark password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _station(root: Path) -> StationRuntime:
    lists_url = f"sqlite:///{root / 'lists.db'}"
    with open_store(lists_url) as store:
        import_feed(store, REPO / "fixtures" / "demo_lists.csv")
    settings = Settings(today=date(2026, 11, 28), data_dir=root, lists_url=lists_url)
    config = StationConfig(
        db_url=f"sqlite:///{root / 'station.db'}",
        settings=settings,
        fixed_today=True,
        station="bench",
        warm_up=False,
    )
    runtime = StationRuntime.open(config, history_key=b"benchmark-history-key-0123")
    accounts.add_account(runtime.db, "officer", "officer", PASSWORD)
    runtime.screener_ready().warm_up(SAMPLES / "td3-kgz-clean.png")
    return runtime


def _cpu_ms() -> float:
    t = os.times()
    return (t.user + t.system + t.children_user + t.children_system) * 1000


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 specimens, 1 round")
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args(argv)
    images = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".png", ".jpg"))
    if args.quick:
        images = images[:5]
    rounds = args.rounds or (1 if args.quick else 3)

    import uvicorn

    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        runtime = _station(Path(tmp))
        token, _ = accounts.issue_token(runtime.db, "officer")
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="error")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        times: dict[str, list[float]] = {"browser flow": [], "api": []}
        cpu: dict[str, list[float]] = {"browser flow": [], "api": []}
        scan_cpu: list[float] = []
        scans: dict[str, list[float]] = {"browser flow": [], "api": []}
        try:
            with httpx.Client(base_url=base, timeout=120) as client:
                login = client.get("/login").text
                csrf = login.split('name="csrf_token" value="')[1].split('"')[0]
                client.post(
                    "/login", data={"username": "officer", "password": PASSWORD, "csrf_token": csrf}
                )
                page = client.get("/").text
                csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
                for _ in range(rounds):
                    for image in images:
                        data = image.read_bytes()
                        t0, c0 = time.perf_counter(), _cpu_ms()
                        posted = client.post(
                            "/screen",
                            data={"csrf_token": csrf},
                            files={"file": (image.name, data)},
                            follow_redirects=False,
                        )
                        result = client.get(posted.headers["location"])
                        times["browser flow"].append((time.perf_counter() - t0) * 1000)
                        cpu["browser flow"].append(_cpu_ms() - c0)
                        assert result.status_code == 200, result.text[:200]
                        t0, c0 = time.perf_counter(), _cpu_ms()
                        api = client.post(
                            "/api/scan",
                            headers={"authorization": f"Bearer {token}"},
                            files={"file": (image.name, data)},
                        )
                        times["api"].append((time.perf_counter() - t0) * 1000)
                        cpu["api"].append(_cpu_ms() - c0)
                        elapsed = float(api.json().get("elapsed_ms") or 0)
                        # The same image through the session alone: the scan's own CPU.
                        c0 = _cpu_ms()
                        runtime.screener_ready().screen_page(Upload(image.name, data))
                        scan_cpu.append(_cpu_ms() - c0)
                        scans["api"].append(elapsed)
                        scans["browser flow"].append(elapsed)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            runtime.close()

    lines = [
        "# Web station: upload to result",
        "",
        f"`python -m benchmarks.web_station{' --quick' if args.quick else ''}`: "
        f"{len(images)} bundled specimens x {rounds} round(s), one client on loopback, "
        f"{platform.machine()} ({platform.python_version()}), load average "
        f"{os.getloadavg()[0]:.0f} on {os.cpu_count()} cores at the end: the machine is shared, "
        "wall times are pessimistic; CPU times are not inflated by the sharing.",
        "",
        "| request | n | wall ms median / p95 / max | CPU ms median / p95 "
        "| scan ms median / p95 | station overhead ms median (wall; CPU) |",
        "|---|---|---|---|---|---|",
    ]
    for name, values in times.items():
        overhead = [t - s for t, s in zip(values, scans[name], strict=True)]
        overhead_cpu = [c - s for c, s in zip(cpu[name], scan_cpu, strict=True)]
        lines.append(
            f"| {name} | {len(values)} | {_pct(values, 50):.0f} / {_pct(values, 95):.0f} / "
            f"{max(values):.0f} | {_pct(cpu[name], 50):.0f} / {_pct(cpu[name], 95):.0f} | "
            f"{_pct(scans[name], 50):.0f} / {_pct(scans[name], 95):.0f} | "
            f"{_pct(overhead, 50):.0f}; {_pct(overhead_cpu, 50):.0f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick:
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
