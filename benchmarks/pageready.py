"""Page-ready time of every page in headless Chromium, against a floor page visited in turn, plus server memory.

Usage: python -m benchmarks.pageready --json out.json [--rounds 5] [--sessions 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from benchmarks.common import BENCH, CHROMIUM, CHROMIUM_ARGS, Server, page_url, proc_tree_memory, summary
from benchmarks.load import INIT_JS

# Ready = Streamlit finished the script run (stApp's script state, set by its frontend for its own e2e tests), the
# "Running..." widget is gone, and the expected number of Plotly charts have an SVG. Returns the time since navigation
# start (performance.now()), measured inside the page so Playwright's own overhead is not counted.
READY_JS = """
(expected) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  let n = 0;
  for (const p of document.querySelectorAll('.js-plotly-plot')) if (p.querySelector('.main-svg')) n++;
  return n >= expected ? Math.max(performance.now(), 0.001) : false;
}
"""
COUNT_JS = """() => {
  let n = 0;
  for (const p of document.querySelectorAll('.js-plotly-plot')) if (p.querySelector('.main-svg')) n++;
  return n;
}"""
ERROR_JS = """() => {
  const body = document.body ? document.body.innerText : '';
  return document.querySelectorAll('[data-testid="stException"]').length
       + (body.includes('This view could not be drawn') ? 1 : 0);
}"""


def _calibrate(browser, url: str, want: int, limit: float = 60.0) -> int:
    """Charts the browser really draws on this page: `want` (the server's count) if they appear within `limit`
    seconds, else the number drawn by then (a chart the browser never draws would otherwise stall every visit)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        pg = ctx.new_page()
        pg.goto(url, wait_until="commit")
        try:
            pg.wait_for_function(READY_JS, arg=want, polling="raf", timeout=limit * 1000)
            return want
        except Exception:  # Playwright TimeoutError
            return pg.evaluate(COUNT_JS)
    finally:
        ctx.close()


def _visit(browser, url: str, expected: int, timeout: float = 60.0) -> tuple[float, float, int]:
    """One visit in a fresh context (no cache, no session): seconds until ready, seconds until Streamlit's script
    run had finished (the rest is the browser drawing), and error elements seen."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        ctx.add_init_script(INIT_JS)
        pg = ctx.new_page()
        pg.goto(url, wait_until="commit")
        handle = pg.wait_for_function(READY_JS, arg=expected, polling="raf", timeout=timeout * 1000)
        ms = handle.json_value()
        script_done = pg.evaluate("window.__bench ? window.__bench.end : 0")
        return ms / 1000, script_done / 1000, pg.evaluate(ERROR_JS)
    finally:
        ctx.close()


def measure(rounds: int, sessions: int, server_counts: dict | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    from benchmarks.rerun import chart_counts
    from dashboard.nav import PAGES

    server_counts = server_counts or chart_counts()

    urls = [u for u, _t, _m in PAGES]
    out: dict = {"rounds": rounds, "pages": {}, "memory": {}}
    with Server("dashboard/app.py", log=Path("/tmp/bench-app.log")) as app, \
            Server(str(BENCH / "floor_app.py"), log=Path("/tmp/bench-floor.log")) as floor, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            out["memory"]["idle_after_start"] = proc_tree_memory(app.proc.pid)
            # warm-up: the first visit loads and validates the data and fills the caches; not what users wait for
            expected = {u: _calibrate(browser, page_url(app.url, u), server_counts[u]) for u in urls}
            floor_expected = _calibrate(browser, floor.url, 1)
            out["server_charts"], out["expected_charts"], out["floor_charts"] = server_counts, expected, floor_expected
            times = {u: [] for u in urls}
            ftimes = {u: [] for u in urls}
            done, fdone = {u: [] for u in urls}, {u: [] for u in urls}
            errors = {u: 0 for u in urls}
            for r in range(rounds):
                order = urls[r % len(urls):] + urls[:r % len(urls)]  # rotate so no page always follows another
                for u in order:
                    # page then floor, back to back: the pair sees the same machine load, so the ratio is fair
                    try:
                        t, d, e = _visit(browser, page_url(app.url, u), expected[u])
                        times[u].append(t)
                        done[u].append(d)
                        errors[u] += e
                    except Exception as exc:  # a timeout is a result too; record it and go on
                        errors[u] += 1
                        print(f"page-ready {u}: {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
                        continue
                    ft, fd, _ = _visit(browser, floor.url, floor_expected)
                    ftimes[u].append(ft)
                    fdone[u].append(fd)
                print(f"page-ready round {r + 1}/{rounds} done", file=sys.stderr, flush=True)
            for u in urls:
                ratios = [a / b for a, b in zip(times[u], ftimes[u], strict=False)]
                out["pages"][u] = {"ready": summary(times[u]), "floor": summary(ftimes[u]), "ratio": summary(ratios),
                                   "errors": errors[u], "charts": expected[u], "script_done": summary(done[u]),
                                   "floor_script_done": summary(fdone[u]),
                                   "drawing": summary([a - b for a, b in zip(times[u], done[u], strict=True)]),
                                   "floor_drawing": summary([a - b for a, b in zip(ftimes[u], fdone[u], strict=True)])}
            out["memory"]["after_page_ready"] = proc_tree_memory(app.proc.pid)
            out["memory"]["sessions"] = _sessions_memory(browser, app, urls, sessions, expected)
        finally:
            browser.close()
    return out


def _sessions_memory(browser, app, urls, n, expected) -> dict:
    """Open n sessions on different pages at once, keep them open, and read the server's memory from /proc."""
    ctxs, pages = [], []
    before = proc_tree_memory(app.proc.pid)
    t = time.perf_counter()
    try:
        for i in range(n):
            ctx = browser.new_context(viewport={"width": 1280, "height": 720})
            pg = ctx.new_page()
            pg.goto(page_url(app.url, urls[i % len(urls)]), wait_until="commit")
            ctxs.append(ctx)
            pages.append((pg, urls[i % len(urls)]))
        for pg, u in pages:
            pg.wait_for_function(READY_JS, arg=expected[u], polling=100, timeout=120_000)
        all_ready_s = time.perf_counter() - t
        during = proc_tree_memory(app.proc.pid)
    finally:
        for ctx in ctxs:
            ctx.close()
    return {"sessions": n, "before": before, "with_sessions_open": during, "all_ready_s": all_ready_s}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--counts", type=Path, help="JSON {url path: charts} from benchmarks.rerun (else computed here)")
    ap.add_argument("--json", type=Path, required=True)
    a = ap.parse_args(argv)
    counts = json.loads(a.counts.read_text()) if a.counts else None
    a.json.write_text(json.dumps(measure(a.rounds, a.sessions, counts), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
