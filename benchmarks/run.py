"""Run every benchmark in turn (each in its own process, each with a hard time limit) and write results.md.

Usage: python -m benchmarks.run [--scales 1,10,100,1000] [--rounds 5] [--load-seconds 20] [--out benchmarks/results.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import BENCH, PY, ROOT, machine, summary

# Per-scale limits: 15 reruns at the real data; at larger scales a page that takes seconds per run gets fewer
# samples and a single run is stopped at run_timeout (reported as "> N s"), so `make bench` stays near 15 minutes.
# The limit also covers a page's first open, which builds the derived views of every row (seconds at 1000x).
SCALE_LIMITS = {
    1: {"reruns": 15, "min_reruns": 15, "page_budget": 1e9, "timeout": 30, "hard": 300},
    10: {"reruns": 15, "min_reruns": 5, "page_budget": 8, "timeout": 10, "hard": 180},
    100: {"reruns": 15, "min_reruns": 3, "page_budget": 5, "timeout": 30, "hard": 300},
    1000: {"reruns": 15, "min_reruns": 3, "page_budget": 5, "timeout": 30, "hard": 480},
}


def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _sub(args: list[str], hard: float, log: Path) -> int | None:
    """Run `python -m ...` with a hard wall-clock limit; its chatter goes to a log file, progress lines to us."""
    with open(log, "w") as fh:
        proc = subprocess.Popen([PY, "-m", *args], cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            return proc.wait(timeout=hard)
        except subprocess.TimeoutExpired:
            _log(f"{args[0]} hit its {hard:.0f} s limit; stopping it (partial results are kept)")
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            return None


def run_reruns(scales: list[int], work: Path) -> dict:
    from dashboard.nav import PAGES

    every = [u for u, _t, _m in PAGES]
    out: dict = {}
    order, stopped, prev = every, [], None
    for f in scales:
        lim = SCALE_LIMITS.get(f, SCALE_LIMITS[1000])
        js = work / f"rerun-{f}.json"
        todo = [u for u in order if u not in stopped]
        args = ["benchmarks.rerun", "--factor", str(f), "--reruns", str(lim["reruns"]), "--min-reruns",
                str(lim["min_reruns"]), "--page-budget", str(lim["page_budget"]), "--timeout", str(lim["timeout"]),
                "--json", str(js), "--pages", ",".join(todo)]
        _log(f"rerun at {f}x (limit {lim['hard']} s; {len(todo)} pages)")
        t = time.perf_counter()
        rc = _sub(args, lim["hard"], work / f"rerun-{f}.log")
        res = json.loads(js.read_text()) if js.exists() else {"pages": {}, "complete": False}
        res["wall_s"], res["rc"] = time.perf_counter() - t, rc
        res.setdefault("limits", {"reruns": lim["reruns"], "run_timeout_s": lim["timeout"]})
        # a page whose single run was already stopped at the previous scale is not run again: it can only be slower
        # with more rows, and each such run would cost the whole limit
        for u in stopped:
            res["pages"][u] = {"inferred_from": prev, "timed_out": True, "rerun": summary([]), "floor": summary([]),
                               "ratio": summary([]), "errors": []}
        out[f] = res
        stopped = [u for u, p in res["pages"].items() if p.get("timed_out") and not p.get("rerun", {}).get("n")]
        # next scale: cheapest pages first, so a hard stop cuts only the slowest (whose cost is already known)
        cost = {u: p["rerun"]["median"] for u, p in res["pages"].items() if p.get("rerun", {}).get("n")}
        order = sorted(every, key=lambda u: cost.get(u, 1e9))
        prev = f
    return out


def run_profiles(reruns: dict, work: Path) -> list[dict]:
    """cProfile the slowest measured page at 1x, and the slowest at 10x (where growth shows), when time allows."""
    profs = []
    for f, n, hard in ((1, 5, 120), (10, 2, 150)):
        res = reruns.get(f)
        if not res:
            continue
        ok = {u: p for u, p in res["pages"].items() if "error" not in p and p["rerun"]["n"]}
        if not ok:
            continue
        page = max(ok, key=lambda u: ok[u]["rerun"]["median"])
        js = work / f"profile-{f}.json"
        _log(f"profile {page} at {f}x")
        _sub(["benchmarks.rerun", "--factor", str(f), "--pages", page, "--reruns", "0", "--min-reruns", "0",
              "--profile", page, "--profile-reruns", str(n), "--timeout", "60", "--json", str(js)], hard,
             work / f"profile-{f}.log")
        if js.exists():
            prof = json.loads(js.read_text()).get("profile")
            if prof:
                prof["factor"] = f
                profs.append(prof)
    return profs


def _counts_arg(counts: Path | None) -> list[str]:
    return ["--counts", str(counts)] if counts else []


def run_pageready(rounds: int, counts: Path | None, work: Path) -> dict:
    js = work / "pageready.json"
    _log(f"page-ready: {rounds} rounds, then 10 sessions for memory")
    _sub(["benchmarks.pageready", "--rounds", str(rounds), "--sessions", "10", *_counts_arg(counts),
          "--json", str(js)], 600, work / "pageready.log")
    return json.loads(js.read_text()) if js.exists() else {}


def run_export(rounds: int, work: Path) -> dict:
    """The briefing pack CLI, interleaved with a floor that renders as many trivial charts with the same kaleido."""
    packs, floors, charts = [], [], 8
    for r in range(rounds):
        out = Path(tempfile.mkdtemp(prefix="bench-pack-"))
        _log(f"briefing pack {r + 1}/{rounds}")
        t = time.perf_counter()
        rc = _sub(["dashboard.export", "--out", str(out)], 300, work / f"export-{r}.log")
        if rc == 0:
            packs.append(time.perf_counter() - t)
            charts = max(1, len(list((out / "charts").glob("*.png"))))
        shutil.rmtree(out, ignore_errors=True)
        out = Path(tempfile.mkdtemp(prefix="bench-pack-floor-"))
        t = time.perf_counter()
        if _sub(["benchmarks.export_floor", "--out", str(out), "--charts", str(charts)], 300,
                work / f"export-floor-{r}.log") == 0:
            floors.append(time.perf_counter() - t)
        shutil.rmtree(out, ignore_errors=True)
    ratios = [a / b for a, b in zip(packs, floors, strict=False)]
    return {"pack": summary(packs), "floor": summary(floors), "ratio": summary(ratios), "charts": charts}


def run_load(seconds: float, wire_seconds: float, counts: Path | None, work: Path) -> dict:
    js = work / "load.json"
    _log(f"load: 20 browser sessions then 1, {seconds:.0f} s each; then 20 and 1 websocket sessions, "
         f"{wire_seconds:.0f} s each")
    _sub(["benchmarks.load", "--sessions", "20", "--duration", str(seconds), "--wire-duration", str(wire_seconds),
          *_counts_arg(counts), "--json", str(js)], 2 * (seconds + 400) + 2 * wire_seconds + 200, work / "load.log")
    return json.loads(js.read_text()) if js.exists() else {}


def run_serve(sessions: int, seconds: float, work: Path) -> dict:
    """benchmarks.serve: cost per page view vs the floor, 2 replicas vs 1, first-visit bytes, validation."""
    js = work / "serve.json"
    _log(f"serve: {sessions} websocket sessions, {seconds:.0f} s per phase (floor, app, 1 and 2 replicas, paced); "
         "first-visit bytes; validation vs frictionless at 1000x")
    _sub(["benchmarks.serve", "--sessions", str(sessions), "--seconds", str(seconds), "--json", str(js)],
         8 * seconds + 900, work / "serve.log")
    res = json.loads(js.read_text()) if js.exists() else {}
    if res:
        res["date"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        res["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    return res


def _git() -> dict:
    def g(*a):
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.rstrip()

    # porcelain lines are "XY path": the two status columns may be spaces, so no strip before slicing
    dirty = [line[3:] for line in g("status", "--porcelain").splitlines()
             if not line[3:].startswith(("benchmarks", "Makefile"))]
    return {"commit": g("rev-parse", "--short", "HEAD"), "subject": g("log", "-1", "--format=%s"), "dirty": dirty}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,10,100,1000")
    ap.add_argument("--rounds", type=int, default=5, help="page-ready rounds (page and floor visited in turn)")
    ap.add_argument("--export-rounds", type=int, default=2)
    ap.add_argument("--load-seconds", type=float, default=20, help="per browser phase (make load uses 60)")
    ap.add_argument("--wire-seconds", type=float, default=15, help="per browserless websocket phase")
    ap.add_argument("--serve-seconds", type=float, default=30, help="per phase of the serving benchmark")
    ap.add_argument("--skip", default="", help="comma-separated: rerun,profile,pageready,export,load,serve")
    ap.add_argument("--reuse", action="store_true", help="keep the skipped stages' numbers from the last "
                    "benchmarks/results.json (each section says when it was measured)")
    ap.add_argument("--out", type=Path, default=BENCH / "results.md")
    a = ap.parse_args(argv)
    skip = set(a.skip.split(","))
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    t0 = time.perf_counter()
    res: dict = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
                 "git": _git(), "work": str(work)}
    scales = [int(x) for x in a.scales.split(",") if x]
    res["rerun"] = {} if "rerun" in skip else run_reruns(scales, work)
    # the server's chart count per page (from the 1x AppTest run) is what the browser must see drawn
    base = res["rerun"].get(1, {}).get("pages", {})
    counts = None
    if base and all("charts" in p for p in base.values()):
        counts = work / "counts.json"
        counts.write_text(json.dumps({u: p["charts"] for u, p in base.items()}))
    res["profiles"] = [] if "profile" in skip else run_profiles(res["rerun"], work)
    res["pageready"] = {} if "pageready" in skip else run_pageready(a.rounds, counts, work)
    res["export"] = {} if "export" in skip else run_export(a.export_rounds, work)
    res["load"] = {} if "load" in skip else run_load(a.load_seconds, a.wire_seconds, counts, work)
    res["serve"] = {} if "serve" in skip else run_serve(20, a.serve_seconds, work)
    if a.reuse and (BENCH / "results.json").exists():
        old = json.loads((BENCH / "results.json").read_text())
        for stage in ("rerun", "profiles", "pageready", "export", "load", "serve"):
            if stage.rstrip("s") in skip or stage in skip:
                res[stage] = old.get(stage, res[stage])
                res.setdefault("reused", []).append(stage)
        res["reused_from"] = old.get("date")
    res["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    res["total_s"] = time.perf_counter() - t0
    (BENCH / "results.json").write_text(json.dumps(res, indent=1, default=str))
    from benchmarks.report import render

    a.out.write_text(render(res))
    _log(f"wrote {a.out} in {res['total_s']:.0f} s (raw numbers: benchmarks/results.json; logs: {work})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
