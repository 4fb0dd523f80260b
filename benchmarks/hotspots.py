"""Where one page spends its time at a given data scale: a developer's profiler, not a benchmark.

Usage: python -m benchmarks.hotspots --factor 100 --page sanctions [--query key=value ...] [--top 25]

Synthetic data is generated once per factor into $TMPDIR/dashboard-synth-<factor>x and reused. The page is opened
in AppTest and its first run and one plain rerun are profiled with cProfile; the heaviest functions of the
dashboard's own code (cumulative) and overall (self time) are printed.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir(factor: int) -> Path:
    """A synthetic data directory for this factor, generated on first use."""
    out = Path(tempfile.gettempdir()) / f"dashboard-synth-{factor}x"
    if not (out / "datapackage.json").exists():
        from benchmarks import synth

        tmp = out.with_name(out.name + ".partial")
        synth.generate(factor, tmp)
        tmp.rename(out)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--factor", type=int, default=100)
    p.add_argument("--page", required=True, help="url path, e.g. sanctions")
    p.add_argument("--query", nargs="*", default=[], help="URL parameters key=value for the page")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--timeout", type=float, default=600)
    a = p.parse_args(argv)
    if a.factor > 1:
        os.environ["DASHBOARD_DATA_DIR"] = str(data_dir(a.factor))

    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    from benchmarks.rerun import share_script_cache
    from dashboard import nav

    share_script_cache()
    modules = {u: m for u, _t, m in nav.PAGES}
    t = time.perf_counter()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=a.timeout)
    at.run()
    print(f"cold load + default page: {time.perf_counter() - t:.2f} s", file=sys.stderr)
    for kv in a.query:
        k, _, v = kv.partition("=")
        at.query_params[k] = v
    prof = cProfile.Profile()
    original = LocalScriptRunner._run_script_thread

    def profiled(self):  # cProfile sees only the thread that enables it: AppTest runs the script in its own
        prof.enable()
        try:
            return original(self)
        finally:
            prof.disable()

    LocalScriptRunner._run_script_thread = profiled
    try:
        t = time.perf_counter()
        at.switch_page(f"app_pages/{modules[a.page]}.py").run()
        first = time.perf_counter() - t
        t = time.perf_counter()
        at.run()
        second = time.perf_counter() - t
    finally:
        LocalScriptRunner._run_script_thread = original
    errors = [e.value for e in at.exception]
    print(f"{a.page} at {a.factor}x: first run {first * 1000:.0f} ms, rerun {second * 1000:.0f} ms "
          f"(both under the profiler); elements: {sum(1 for _ in at.main)}; exceptions: {errors[:2]}")
    stats = pstats.Stats(prof)
    rows = []
    for (fn, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append((fn.replace(str(ROOT) + "/", "").split("site-packages/")[-1], line, func, nc, tt, ct))
    print("\nDashboard functions by cumulative time (both runs):")
    for fn, line, func, nc, _tt, ct in sorted((r for r in rows if r[0].startswith("dashboard/")),
                                              key=lambda r: -r[5])[:a.top]:
        print(f"  {ct * 1000:9.0f} ms  {nc:7d}x  {fn}:{line}({func})")
    print("\nAll functions by self time:")
    for fn, line, func, nc, tt, _ct in sorted(rows, key=lambda r: -r[4])[:a.top]:
        print(f"  {tt * 1000:9.0f} ms  {nc:7d}x  {fn}:{line}({func})")
    out = io.StringIO()
    stats.stream = out
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
