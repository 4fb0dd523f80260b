"""Page-ready time of one page against the floor page, visited in turn: for trying a change to one page quickly.

Usage: python -m benchmarks.pageready_one --page sanctions [--rounds 5]
(make bench measures every page; this reuses its visit, so the two agree.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.common import BENCH, CHROMIUM, CHROMIUM_ARGS, Server, page_url, summary
from benchmarks.pageready import _calibrate, _visit


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", required=True, help="url path, e.g. sanctions")
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from benchmarks.rerun import chart_counts

    charts = chart_counts()[a.page]
    with Server("dashboard/app.py", log=Path("/tmp/bench-one-app.log")) as app, \
            Server(str(BENCH / "floor_app.py"), log=Path("/tmp/bench-one-floor.log")) as floor, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            charts = _calibrate(browser, page_url(app.url, a.page), charts)  # also warms the server's caches
            _calibrate(browser, floor.url, 1)
            ratios = []
            for r in range(a.rounds):
                t, done, errors = _visit(browser, page_url(app.url, a.page), charts)
                ft, fdone, _ = _visit(browser, floor.url, 1)
                ratios.append(t / ft)
                print(f"round {r + 1}: page {t * 1000:.0f} ms (script done {done * 1000:.0f}), "
                      f"floor {ft * 1000:.0f} ms (script done {fdone * 1000:.0f}), ratio {t / ft:.2f}x, "
                      f"errors {errors}", flush=True)
        finally:
            browser.close()
    s = summary(ratios)
    print(f"{a.page}: median ratio {s['median']:.2f}x over {s['n']} rounds ({charts} charts)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
