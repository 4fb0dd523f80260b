"""Server-side rerun time of every page after a filter change, at one data scale, measured with AppTest.

Usage: python -m benchmarks.rerun --factor 1000 --json out.json [--reruns 15] [--profile PAGE]

Run one scale per process: the data folder is read from DASHBOARD_DATA_DIR when dashboard.data is imported, and
st.cache_data is per process, so a fresh process is the only honest "cold" start.
"""

from __future__ import annotations

import argparse
import cProfile
import ctypes
import io
import json
import logging
import os
import pstats
import shutil
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
APP = str(ROOT / "dashboard" / "app.py")
CHOICE_TYPES = ("selectbox", "radio", "select_slider", "multiselect")

# The floor: the least a Streamlit page with one filter and one Plotly chart can cost per rerun on this machine.
FLOOR = """
import plotly.graph_objects as go
import streamlit as st
v = st.selectbox("Pick", ["a", "b"])
st.plotly_chart(go.Figure(go.Bar(x=["x", "y", "z"], y=[1, 3, 2] if v == "a" else [2, 1, 3])), key="floor")
"""


def _walk(block):
    """Every node of an AppTest block in page order (Block.__iter__ flattens in insertion order)."""
    yield from block


def _choice_widget(at, wid: str | None = None):
    """The page's first choice widget (main area only: the sidebar holds the app-wide chrome), or the one with id."""
    for node in _walk(at.main):
        if getattr(node, "type", None) in CHOICE_TYPES and len(getattr(node, "options", [])) >= 2:
            if wid is None or node.id == wid:
                return node
    return None


def _step_button(at):
    """Pages without a choice widget may step with buttons (the briefing): the first enabled Next/Previous."""
    for node in _walk(at.main):
        if getattr(node, "type", None) == "button" and not node.proto.disabled:
            if any(w in node.label.lower() for w in ("next", "previous")):
                return node
    return None


def _formatted(w):
    """The widget's current value as the browser would send it (formatted option strings)."""
    if w.type in ("selectbox", "radio"):
        return w.options[w.index] if w.index is not None else None
    if w.type == "multiselect":
        return list(w.values)
    v = w.value
    return w.options[w.options.index(w.format_func(v))] if w.format_func(v) in w.options else w.options[0]


def _alternative(w, cur):
    """A second value that changes what the page shows: another option, or one more/less multiselect choice."""
    if w.type == "multiselect":
        rest = [o for o in w.options if o not in cur]
        return cur[:-1] if cur and not rest else [*cur, rest[0]]
    i = w.options.index(cur) if cur in w.options else 0
    if w.type == "select_slider":
        return w.options[0] if i != 0 else w.options[-1]
    return w.options[1] if i == 0 else w.options[0]


def _force(w, formatted) -> None:
    """Send exactly what the frontend would send for this choice (formatted strings), whatever format_func is.

    set_value() needs the underlying Python value, which AppTest cannot see for widgets with a format_func; the
    frontend only ever sends the formatted option, so we do the same by overriding this widget's state message.
    """
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    ws = WidgetState()
    ws.id = w.id
    if w.type in ("selectbox", "radio"):
        ws.string_value = formatted
    else:
        ws.string_array_value.data[:] = formatted if isinstance(formatted, list) else [formatted]
    w.__class__ = type(w.__class__.__name__, (w.__class__,), {"_widget_state": property(lambda self: ws)})


class Watchdog:
    """Stop a script run that exceeds `limit` seconds, right away, the way Streamlit's own stop works.

    AppTest's timeout asks the script to stop at its next Streamlit call and then waits for it, which can take
    minutes in a long pandas or Plotly stretch at 1000x; raising StopException inside the script thread ends it at
    the next bytecode instead, so every measurement is bounded.
    """

    def __init__(self, limit: float):
        self.limit, self.fired = limit, False
        self._timer: threading.Timer | None = None

    def _fire(self) -> None:
        from streamlit.runtime.scriptrunner_utils.exceptions import StopException

        for th in threading.enumerate():
            if th.name == "ScriptRunner.scriptThread" and th.is_alive():
                self.fired = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(th.ident), ctypes.py_object(StopException))

    def __enter__(self) -> Watchdog:
        self.fired = False
        self._timer = threading.Timer(self.limit, self._fire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()


_SHARED_CACHE: list = []


def share_script_cache() -> None:
    """Compile each script once, as the real server does.

    AppTest builds a new ScriptCache on every run, so every rerun recompiles app.py and the page (with Streamlit's
    "magic" AST pass): 20-50 ms here that `streamlit run` pays only once per file. One shared cache removes that
    test-only cost from the page and the floor alike.
    """
    if _SHARED_CACHE:
        return
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    _SHARED_CACHE.append(ScriptCache())
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: _SHARED_CACHE[0]


class PageDriver:
    """One AppTest on one page, able to flip its first filter between two values and rerun."""

    def __init__(self, module: str | None, timeout: float):
        from streamlit.testing.v1 import AppTest

        share_script_cache()
        # AppTest's own timeout only as a backstop behind the watchdog (it would raise instead of returning)
        self.watchdog = Watchdog(timeout)
        self.timed_out = 0
        if module is None:
            self.at = AppTest.from_string(FLOOR, default_timeout=timeout + 120)
            self.at.run()
        else:
            self.at = AppTest.from_file(APP, default_timeout=timeout + 120)
            self.at.run()
            self.at.switch_page(f"app_pages/{module}.py")
        self.open_s = self._run()
        self.charts = len(self.at.get("plotly_chart"))
        w = _choice_widget(self.at)
        self.wid = w.id if w else None
        if w is not None:
            self.a = _formatted(w)
            self.b = _alternative(w, self.a)
            self.control = f"{w.type} '{w.label}': {self.a!r} <-> {self.b!r}"
        elif _step_button(self.at) is not None:
            self.control = "button: Next / Previous (no choice widget on the page)"
        else:
            self.control = "none (no filter on the page): plain rerun"
        self.flip = 0
        self.errors: list[str] = _errors(self.at)
        self.applied = 0

    def _run(self) -> float:
        with self.watchdog as wd:
            t = time.perf_counter()
            self.at.run()
            dt = time.perf_counter() - t
        if wd.fired:
            self.timed_out += 1
        return dt

    def rerun(self) -> float:
        """Change the filter (alternating), rerun, and return the wall time of the rerun alone."""
        target = None
        w = _choice_widget(self.at, self.wid) if self.wid else None
        if w is not None:
            target = self.b if self.flip % 2 == 0 else self.a
            _force(w, target)
        elif self.wid is None:
            btn = _step_button(self.at)
            if btn is not None:
                btn.click()
        self.flip += 1
        dt = self._run()
        self.errors += _errors(self.at)
        if target is not None:
            w2 = _choice_widget(self.at, self.wid)
            if w2 is not None and _formatted(w2) == target:
                self.applied += 1
        return dt


LOGGED: list[str] = []  # page errors app.py caught and logged, summarised by _PageErrorLog


class _PageErrorLog(logging.Handler):
    """Keep the exception behind "This view could not be drawn": type, message, and the deepest dashboard frame."""

    def emit(self, record: logging.LogRecord) -> None:
        if not record.exc_info:
            return
        etype, exc, tb = record.exc_info
        frames = [f for f in traceback.extract_tb(tb) if "/dashboard/" in f.filename]
        where = f" at {frames[-1].filename.split('/work/main/')[-1]}:{frames[-1].lineno}" if frames else ""
        LOGGED.append(f"{etype.__name__}: {str(exc)[:150]}{where}")


def _errors(at) -> list[str]:
    """Exceptions, and the app's own "could not be drawn" error (app.py catches page errors and logs them)."""
    out = [str(e.value)[:300] for e in at.exception]
    drawn = [e.value[:300] for e in at.error if "could not be drawn" in e.value or "could not be loaded" in e.value]
    if drawn and LOGGED:
        drawn = [f"{d[:40]}… ({LOGGED[-1]})" for d in drawn]
    LOGGED.clear()
    return out + drawn


def chart_counts(timeout: float = 120) -> dict[str, int]:
    """How many Plotly charts each page draws, from the server's own element tree (the browser's expected count)."""
    from dashboard import nav

    out = {}
    for url, _t, module in nav.PAGES:
        try:
            out[url] = PageDriver(module, timeout).charts
        except Exception:  # a page being edited may not run; the browser calibration falls back to what it sees
            out[url] = 0
    return out


def _bucket(filename: str, func: str) -> str:
    """Group profile entries into costs an owner can act on."""
    f = filename.replace("\\", "/")
    if "/frictionless/" in f:
        return "frictionless (validation)"
    if "/dashboard/transforms/" in f:
        return "dashboard transforms (pandas work in our code)"
    if "/dashboard/charts/" in f:
        return "dashboard chart builders"
    if "/dashboard/" in f:
        return "dashboard pages/ui"
    if "/plotly/io/" in f or "json" in f.rsplit("/", 1)[-1] or func in ("dumps", "encode", "iterencode"):
        return "JSON serialisation (plotly.io / json / orjson)"
    if "/_plotly_utils/" in f or "/plotly/" in f:
        return "plotly figure construction/validation"
    if "/geopandas/" in f or "/shapely/" in f:
        return "geopandas/shapely"
    if "/pandas/" in f or "/numpy/" in f:
        return "pandas/numpy (called from anywhere)"
    if "/streamlit/" in f:
        return "streamlit (script runner, marshalling, protobuf)"
    if "/google/protobuf" in f:
        return "protobuf"
    if f.endswith("/copy.py"):
        return "copy.deepcopy (stdlib; Plotly copies figure dicts)"
    return "other (stdlib, builtins)"


def profile_page(module: str, reruns: int, timeout: float) -> dict:
    """cProfile a page's reruns; report self-time by bucket and the heaviest functions by cumulative time."""
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    drv = PageDriver(module, timeout)
    prof = cProfile.Profile()
    # The script runs in AppTest's script thread, and cProfile only sees the thread that enables it, so the
    # profiler is switched on inside that thread, around each run (runs are sequential, so one Profile is safe).
    original = LocalScriptRunner._run_script_thread

    def profiled(self):
        prof.enable()
        try:
            return original(self)
        finally:
            prof.disable()

    for _ in range(2):  # flip to the other value and back first: profile the steady state the median measures
        drv.rerun()
    LocalScriptRunner._run_script_thread = profiled
    t = time.perf_counter()
    try:
        for _ in range(reruns):
            drv.rerun()
    finally:
        LocalScriptRunner._run_script_thread = original
    wall = time.perf_counter() - t
    st = pstats.Stats(prof)
    buckets: dict[str, float] = {}
    total = 0.0
    for (fn, _line, func), (_cc, _nc, tt, _ct, _callers) in st.stats.items():
        buckets[_bucket(fn, func)] = buckets.get(_bucket(fn, func), 0.0) + tt
        total += tt
    rows = []
    for (fn, line, func), (_cc, nc, _tt, ct, _callers) in st.stats.items():
        short = fn.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        rows.append({"func": f"{short}:{line}({func})", "calls": nc, "cum_s_per_rerun": ct / reruns})
    rows.sort(key=lambda r: -r["cum_s_per_rerun"])
    ours = [r for r in rows if r["func"].startswith("dashboard/")][:12]
    selfish = sorted(st.stats.items(), key=lambda kv: -kv[1][2])[:12]
    top_self = [{"func": f"{fn.replace(str(ROOT) + '/', '').split('site-packages/')[-1]}:{line}({func})",
                 "calls": nc, "self_s_per_rerun": tt / reruns} for (fn, line, func), (_cc, nc, tt, _ct, _c) in selfish]
    lib = [r for r in rows if not r["func"].startswith(("dashboard/", "benchmarks/", "~", "<"))
           and "runpy" not in r["func"] and "script_runner" not in r["func"] and "exec_code" not in r["func"]][:15]
    out = io.StringIO()
    st.stream = out
    st.sort_stats("cumulative").print_stats(30)
    by_bucket = {k: v / reruns for k, v in sorted(buckets.items(), key=lambda kv: -kv[1])}
    return {"page": module, "reruns": reruns, "wall_s_per_rerun": wall / reruns, "control": drv.control,
            "self_time_by_bucket_s_per_rerun": by_bucket, "profiled_total_s_per_rerun": total / reruns,
            "top_dashboard_cumulative": ours, "top_library_cumulative": lib, "top_self": top_self,
            "pstats_text": out.getvalue()[:12000]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--factor", type=int, default=1)
    p.add_argument("--reruns", type=int, default=15, help="reruns per page (at most)")
    p.add_argument("--min-reruns", type=int, default=15, help="reruns per page before --page-budget may stop them")
    p.add_argument("--page-budget", type=float, default=1e9, help="seconds per page after which reruns stop")
    p.add_argument("--pages", default="", help="comma-separated url paths (default: all in nav.PAGES)")
    p.add_argument("--profile", default="", help="url path of a page to profile with cProfile after timing")
    p.add_argument("--profile-reruns", type=int, default=5)
    p.add_argument("--timeout", type=float, default=120, help="seconds after which one script run is stopped")
    p.add_argument("--json", type=Path, required=True)
    a = p.parse_args(argv)

    tmp = None
    synth_s = 0.0
    # A fresh validation cache: the cold load below is a first-ever load; the restart after it reuses the pass.
    cache = Path(tempfile.mkdtemp(prefix="bench-validation-cache-"))
    os.environ["DASHBOARD_CACHE_DIR"] = str(cache)
    if a.factor > 1:
        from benchmarks import synth

        tmp = Path(tempfile.mkdtemp(prefix=f"bench-data-{a.factor}x-"))
        t = time.perf_counter()
        rows = synth.generate(a.factor, tmp)
        synth_s = time.perf_counter() - t
        os.environ["DASHBOARD_DATA_DIR"] = str(tmp)  # must be set before dashboard.data is imported
    try:
        return _measure(a, rows if tmp else None, synth_s)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def _measure(a, rows, synth_s) -> int:
    from benchmarks.common import summary
    from dashboard import data, nav

    result = {"complete": False, "factor": a.factor, "data_dir": str(data.DATA_DIR), "rows": rows, "synth_s": synth_s}
    if rows is None:
        import pandas as pd

        result["rows"] = {r["name"]: len(pd.read_csv(data.DATA_DIR / r["path"], dtype=str))
                          for r in json.loads((data.DATA_DIR / data.DESCRIPTOR).read_text())["resources"]
                          if r.get("profile") == "tabular-data-resource"}

    # Cold start: the first run of the app in this process loads and validates the data. Time the parts by wrapping.
    parts: dict[str, float] = {}

    def timed(name, fn):
        def wrapper(*args, **kw):
            t = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                parts[name] = parts.get(name, 0.0) + time.perf_counter() - t
        return wrapper

    data._validate = timed("frictionless_validate_s", data._validate)
    data.load = timed("data_load_total_s", data.load)
    from streamlit.testing.v1 import AppTest

    logging.getLogger("dashboard").addHandler(_PageErrorLog())
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):  # bare-mode warnings from the floor script would drown the progress lines
            logging.getLogger(name).setLevel(logging.ERROR)
    share_script_cache()
    t = time.perf_counter()
    at = AppTest.from_file(APP, default_timeout=max(a.timeout, 900))  # the cold load is slow by nature; not capped
    at.run()
    parts["first_app_run_s"] = time.perf_counter() - t
    parts["cold_errors"] = _errors(at)
    # A server restart on unchanged data: the same bytes were validated above, so frictionless is skipped.
    before = dict(parts)
    t = time.perf_counter()
    data.load(data.DATA_DIR)
    parts["restart_load_s"] = time.perf_counter() - t
    parts["restart_validated"] = parts["frictionless_validate_s"] > before["frictionless_validate_s"]
    parts["data_load_total_s"] = before["data_load_total_s"]  # the cold figure stays the cold load alone
    result["cold"] = parts
    print(f"{a.factor}x cold: {parts}", file=sys.stderr, flush=True)

    wanted = [x for x in a.pages.split(",") if x] or [u for u, _t, _m in nav.PAGES]
    modules = {u: m for u, _t, m in nav.PAGES}
    floor = PageDriver(None, a.timeout)
    pages: dict = {}
    result["pages"] = pages
    result["limits"] = {"reruns": a.reruns, "min_reruns": a.min_reruns, "page_budget_s": a.page_budget,
                        "run_timeout_s": a.timeout}
    for url in wanted:
        t0 = time.perf_counter()
        print(f"{a.factor}x {url}: opening", file=sys.stderr, flush=True)
        try:
            drv = PageDriver(modules[url], a.timeout)
        except Exception as exc:  # a page being edited may not even import; report it, keep measuring the rest
            pages[url] = {"error": f"{type(exc).__name__}: {exc}"[:400]}
            continue
        times, floor_times = [], []
        if drv.timed_out:  # the first run alone hit the limit: that is the answer at this scale
            pages[url] = {"control": drv.control, "charts": drv.charts, "open_s": drv.open_s, "timed_out": True,
                          "rerun": summary([]), "floor": summary([]), "ratio": summary([]), "applied": 0,
                          "errors": drv.errors[:5], "page_wall_s": time.perf_counter() - t0}
            print(f"{a.factor}x {url}: first run > {a.timeout:.0f} s, stopped", file=sys.stderr, flush=True)
            _write(a.json, result)
            continue
        print(f"{a.factor}x {url}: opened in {drv.open_s:.1f} s", file=sys.stderr, flush=True)
        for i in range(a.reruns):
            if i >= a.min_reruns and time.perf_counter() - t0 > a.page_budget:
                break  # bounded: enough samples for a median at this scale, and make bench stays short
            times.append(drv.rerun())  # interleaved with the floor so both see the same machine load
            floor_times.append(floor.rerun())
            if drv.timed_out:
                break
        ratios = [x / f for x, f in zip(times, floor_times, strict=True)]
        pages[url] = {"control": drv.control, "charts": drv.charts, "open_s": drv.open_s,
                      "timed_out": bool(drv.timed_out), "rerun": summary(times), "floor": summary(floor_times),
                      "ratio": summary(ratios), "applied": drv.applied, "errors": drv.errors[:5],
                      "first_change_s": times[0] if times else None,
                      "page_wall_s": time.perf_counter() - t0}
        print(f"{a.factor}x {url}: median {pages[url]['rerun']['median'] * 1000:.0f} ms over {len(times)} "
              f"(floor {pages[url]['floor']['median'] * 1000:.0f} ms) {drv.control}", file=sys.stderr, flush=True)
        _write(a.json, result)  # partial results survive if the caller's hard time limit stops this process
    if a.profile:
        result["profile"] = profile_page(modules[a.profile], a.profile_reruns, a.timeout)
    result["complete"] = True
    _write(a.json, result)
    return 0


def _write(path: Path, result: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=1, default=str))
    tmp.replace(path)


if __name__ == "__main__":
    raise SystemExit(main())
