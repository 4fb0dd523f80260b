"""Turn the raw benchmark numbers (benchmarks/results.json) into benchmarks/results.md."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from benchmarks.common import BENCH

TARGET_READY_RATIO = 1.3
TARGET_RERUN = {1: 0.050, 1000: 0.300}


def _ms(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x * 1000:,.0f} ms" if x < 10 else f"{x:,.1f} s"


def _x(x) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}x"


def _spread(s: dict, fn=_ms) -> str:
    return f"{fn(s['median'])} [{fn(s['p10'])}–{fn(s['p90'])}]" if s.get("n") else "n/a"


def _rerun_cell(p: dict | None, limits: dict) -> str:
    if p is None:
        return "not reached (time limit)"
    if "error" in p:
        return f"failed to open: {p['error'][:60]}"
    if p.get("inferred_from"):
        return f"> {limits.get('run_timeout_s', 0):.0f} s (not run: already stopped at {p['inferred_from']}x)"
    if p.get("timed_out") and not p["rerun"]["n"]:
        return f"**> {limits.get('run_timeout_s', 0):.0f} s** (first run stopped)"
    s = p["rerun"]
    cell = f"{_ms(s['median'])} / {_ms(s['p90'])} (n={s['n']}; {_x(p['ratio']['median'])} floor)"
    if p.get("first_change_s") is not None:
        cell += f"; first change {_ms(p['first_change_s'])}"  # the first flip to a new value may fill a cache
    if p.get("timed_out"):
        cell += f", a run hit {limits.get('run_timeout_s', 0):.0f} s"
    if p.get("errors"):
        cell += " ⚠ page error"
    return cell


def _page_cost(p: dict | None, limits: dict, uncached: bool = False) -> tuple[float | None, bool]:
    """(seconds per rerun, is a lower bound): the steady-state median, or with uncached=True the first change to
    a new value (nothing memoised yet), which is what a stopped first run bounds."""
    if not p or "error" in p:
        return None, False
    if p.get("timed_out") and not p["rerun"]["n"]:
        return limits.get("run_timeout_s"), True
    if not p["rerun"]["n"]:
        return None, False
    m = p["first_change_s"] if uncached and p.get("first_change_s") else p["rerun"]["median"]
    return m, bool(p.get("timed_out"))


def _growth(costs: list[tuple[int, float | None, bool]]) -> str:
    """Log-log slope between consecutive scales: 0 = flat, 1 = linear in rows, 2 = quadratic. A capped (stopped)
    run gives only a lower bound, and nothing can be said past one."""
    pts = [(f, c, lb) for f, c, lb in costs if c]
    parts = []
    for (f1, c1, lb1), (f2, c2, lb2) in zip(pts, pts[1:], strict=False):
        if lb1:
            break
        slope = math.log(c2 / c1) / math.log(f2 / f1)
        parts.append(f"{f1}→{f2}x: {'≥' if lb2 else ''}{slope:.2f}")
    if not parts:
        return "n/a"
    last = parts[-1].split(": ")[1]
    if last.startswith("≥"):
        return "; ".join(parts) + " (≥: a lower bound, the run was stopped at the limit)"
    v = float(last)
    word = ("flat" if v < 0.2 else "sub-linear" if v < 0.8 else "about linear" if v < 1.2 else "super-linear")
    return "; ".join(parts) + f" ({word})"


def _targets(res: dict) -> list[str]:
    rows = ["| # | target | result | verdict | gap / note |", "|---|---|---|---|---|"]
    pr = res.get("pageready", {}).get("pages", {})
    if pr:
        worst = max(pr, key=lambda u: pr[u]["ratio"]["median"] if pr[u]["ratio"]["n"] else 1e9)
        bad = [u for u, p in pr.items() if not p["ratio"]["n"] or p["ratio"]["median"] > TARGET_READY_RATIO]
        w = pr[worst]["ratio"]["median"] if pr[worst]["ratio"]["n"] else float("nan")
        rows.append(f"| 1 | page ready ≤ {TARGET_READY_RATIO}x floor, every page | worst: {worst} {_x(w)} | "
                    f"{'**met**' if not bad else '**not met**'} | "
                    f"{len(bad)} of {len(pr)} pages over: {', '.join(bad) or 'none'} |")
    for f, target in TARGET_RERUN.items():
        rr = res.get("rerun", {}).get(str(f)) or res.get("rerun", {}).get(f)
        if not rr:
            continue
        lim = rr.get("limits", {})
        from dashboard.nav import PAGES

        costs = {u: _page_cost(rr["pages"].get(u), lim) for u, _t, _m in PAGES}
        bad = [u for u, (c, _lb) in costs.items() if c is None or c > target]
        known = {u: c for u, (c, _lb) in costs.items() if c is not None}
        worst = max(known, key=known.get) if known else None
        worst_txt = f"worst: {worst} {'>' if costs[worst][1] else ''}{_ms(known[worst])}" if worst else "n/a"
        errs = [u for u, p in rr["pages"].items() if p.get("errors")]
        note = f"{len(bad)} of {len(PAGES)} pages over or unmeasured: {', '.join(bad) or 'none'}"
        if worst and known[worst] > target:
            note += f"; worst is {'at least ' if costs[worst][1] else ''}{known[worst] / target:.1f}x the target"
        if errs:
            note += f"; page errors during the run: {', '.join(errs)}"
        rows.append(f"| 2 | rerun median < {_ms(target)} at {f}x, every page | {worst_txt} | "
                    f"{'**met**' if not bad else '**not met**'} | {note} |")
    ex = res.get("export", {})
    if ex.get("pack", {}).get("n"):
        rows.append(f"| 3 | briefing pack wall time | {_ms(ex['pack']['median'])} ({_x(ex['ratio']['median'])} "
                    f"the kaleido floor) | reported | no target set |")
    mem = res.get("pageready", {}).get("memory", {}).get("sessions")
    if mem:
        rows.append(f"| 3 | peak server memory, {mem['sessions']} sessions | "
                    f"VmHWM {mem['with_sessions_open']['hwm_mib']:.0f} MiB | reported | no target set |")
    ld = res.get("load", {})
    if ld.get("many"):
        errs = ld["many"]["error_total"] + ld["one"]["error_total"]
        slow = ld["many"].get("timeouts", 0) + ld["one"].get("timeouts", 0)
        wire = ld.get("wire") or {}
        werrs = sum(w["error_total"] for w in wire.values())
        c = ld["many"].get("cpu", {})
        note = (f"{slow} steps over {ld.get('timeout', 60):.0f} s with {ld['many']['sessions']} browsers; during "
                f"that phase Chromium used {c.get('browser_and_driver_s', 0):.0f} CPU-s and the server "
                f"{c.get('server_s', 0):.0f}" if c else f"{slow} steps timed out")
        if wire.get("many"):
            wm, wo = wire["many"]["latency"], wire["one"]["latency"]
            note += (f"; server alone (websocket, no browser): p50 {_ms(wm['p50'])} at {wire['many']['sessions']} "
                     f"sessions vs {_ms(wo['p50'])} at 1 ({wm['p50'] / wo['p50']:.1f}x), {werrs} app errors")
        rows.append(f"| 4 | load: zero errors, {ld['many']['sessions']} sessions | {errs + werrs} app errors; browser "
                    f"p50 {_ms(ld['many']['all_steps']['p50'])} vs {_ms(ld['one']['all_steps']['p50'])} alone | "
                    f"{'**met**' if errs + werrs == 0 else '**not met**'} (errors) | {note} |")
    return rows


def render(res: dict) -> str:
    m, g = res["machine"], res["git"]
    out = ["# Benchmarks", "",
           f"Measured {res['date']} by `make bench` (`python -m benchmarks.run`) in {res['total_s'] / 60:.1f} min, on "
           f"commit `{g['commit']}` ({g['subject']}).", ""]
    if res.get("reused_from"):
        ran = [k for k in ("rerun", "pageready", "export", "load", "serve") if k not in res.get("reused", [])]
        out += [f"**This run measured only: {', '.join(ran)}.** The other sections keep the numbers of the run of "
                f"{res['reused_from']} (older code; their targets rows too).", ""]
    if g["dirty"]:
        out += [f"**The pages were being edited while this ran**: {len(g['dirty'])} files differed from the commit "
                f"({', '.join(g['dirty'][:12])}{'…' if len(g['dirty']) > 12 else ''}). Rerun `make bench` once "
                "they are committed; the method stays valid, the numbers will move.", ""]
    out += ["| machine | |", "|---|---|", f"| CPUs (nproc) | {m['nproc']} |", f"| memory | {m['mem_gib']} GiB |",
            f"| CPU | {m['cpu']} |", f"| Python | {m['python']} |", f"| Streamlit | {m['streamlit']} |",
            f"| Plotly | {m['plotly']} |", f"| Chromium | {m['chromium']} |", f"| kernel | {m['kernel']} |",
            f"| load average (1/5/15 min) at start / end | {m['loadavg']} / {m.get('loadavg_end')} |", "",
            "The machine is shared and noisy, so every figure is a **ratio to a floor measured in the same run**, "
            "the measured thing and its floor taken in turn (interleaved), repeated; medians with the p10–p90 "
            "spread in brackets. Absolute times are given for context only.", "",
            "## Targets", "", *_targets(res), ""]
    rr = res.get("rerun", {})
    out += _pageready(res.get("pageready", {}), (rr.get(1) or rr.get("1") or {}).get("pages"))
    out += _rerun(res.get("rerun", {}), res.get("profiles", []))
    out += _export_memory(res.get("export", {}), res.get("pageready", {}))
    ld = res.get("load", {})
    out += ["## 4. Load: 20 sessions against 1", ""]
    if ld.get("many"):
        from benchmarks.load import markdown

        out += [markdown(ld), f"`make load` runs the same for 60 s per phase (`benchmarks/load.py`); `make bench` "
                f"uses {ld['many']['duration_s']:.0f} s to stay short.", ""]
    else:
        out += ["Not run or failed; see the log folder.", ""]
    sv = res.get("serve") or {}
    if sv:
        from benchmarks.serve import markdown as serve_markdown

        out += [serve_markdown(sv).replace("## Serving a team (issue 13)", "## 5. Serving a team: nginx, replicas, "
                                           "cost per page view, validation"),
                f"Measured {sv.get('date', res['date'])} (load average at the end {sv.get('loadavg')}) by "
                "`python -m benchmarks.serve`, the serving stage of `make bench`: 20 websocket sessions per phase, "
                "the load client on the same CPUs as the servers.", ""]
    out += ["## Method", "",
            "- Page ready: `benchmarks/pageready.py`. Headless Debian Chromium via Playwright (the flags of "
            "tests/browser), 1280x720, a fresh browser context per visit. Ready = Streamlit's script state is "
            "`notRunning`, the status widget is gone, and the page's Plotly charts (the number the server's own "
            "element tree has, from AppTest) each have an SVG; the time is `performance.now()` in the page, from "
            "navigation start. Each page is visited right before the floor (`benchmarks/floor_app.py`: one bar "
            "chart, same venv, another port); page order rotates each round. The first visit of each page warms "
            "the caches and is not counted. The overview is the default page, so it is visited at `/` (`/overview` "
            "answers with Streamlit's \"Page not found\" dialog).",
            "- Rerun: `benchmarks/rerun.py`, one process per scale. AppTest opens a page once (warm), then the "
            "page's first selectbox/radio/select_slider/multiselect is flipped between two values (the briefing "
            "has none: Next/Previous), timing `at.run()`; each rerun is followed by a rerun of a one-chart AppTest "
            "floor. The app memoises derived views per dataset and arguments (`loaders.derive`), so only the first "
            "flip to the new value computes it (\"first change\" in the table); the median is the steady state of "
            "flipping back and forth. "
            "The value is sent as the browser sends it (the formatted option). AppTest normally recompiles the "
            "scripts on every run (a fresh ScriptCache per run, 20-50 ms here); the benchmark shares one cache, as "
            "`streamlit run` does, so that test-only cost is not counted. A watchdog stops a run that "
            "exceeds the scale's limit. Cold load = the first app run in a fresh process (frictionless validation "
            "timed inside it).",
            "- Synthetic data: `benchmarks/synth.py` copies every table k times; replica 0 is the real data, "
            "replica k appends `-s<k>` to every key and reference and maps country codes to unused three-letter "
            "codes; it passes the package's own frictionless validation (primary keys, foreign keys, patterns). "
            "Names are copied unchanged, so pages that look rows up by name rather than id see duplicates.",
            "- Memory: VmRSS/VmHWM of the streamlit server process and its children from /proc.",
            "- Raw numbers: `benchmarks/results.json`.", ""]
    return "\n".join(out) + "\n"


def _pageready(pr: dict, rerun1: dict | None = None) -> list[str]:
    out = ["## 1. Page-ready time in the browser, against the floor page", ""]
    if not pr.get("pages"):
        return [*out, "Not run or failed; see the log folder.", ""]
    out += [f"{pr['rounds']} rounds; floor draws {pr.get('floor_charts')} chart. \"Script done\" = when Streamlit "
            "reported the run finished (server run, websocket, React); \"drawing\" = from then until the charts "
            "were drawn (the browser's share).", "",
            "| page | charts (server / drawn) | ready, median [p10–p90] | floor | ratio median [p10–p90] | target ≤ "
            f"{TARGET_READY_RATIO}x | script done: page / floor | drawing: page / floor | errors |",
            "|---|---|---|---|---|---|---|---|---|"]
    causes = []
    for u, p in pr["pages"].items():
        r = p["ratio"]
        ok = r["n"] and r["median"] <= TARGET_READY_RATIO
        split = sd = ""
        if p.get("script_done", {}).get("n"):
            sd = f"{_ms(p['script_done']['median'])} / {_ms(p['floor_script_done']['median'])}"
            split = f"{_ms(p['drawing']['median'])} / {_ms(p['floor_drawing']['median'])}"
            if not ok:
                srv = (rerun1 or {}).get(u, {}).get("rerun", {})
                server = (f"; the server's own run of the page is about {_ms(srv['median'])} (AppTest, 1x), so the "
                          "rest before \"script done\" is the browser receiving and laying out the elements"
                          if srv.get("n") else "")
                extra_run = p["script_done"]["median"] - p["floor_script_done"]["median"]
                extra_draw = p["drawing"]["median"] - p["floor_drawing"]["median"]
                causes.append(f"- {u}: {_ms(p['ready']['median'] - p['floor']['median'])} slower than the floor; "
                              f"{_ms(extra_run)} of it before the script run finished, {_ms(extra_draw)} drawing "
                              f"afterwards ({p['charts']} Plotly chart{'s' if p['charts'] != 1 else ''}, the floor 1)"
                              f"{server}.")
        out.append(f"| {u} | {pr.get('server_charts', {}).get(u, '?')} / {p['charts']} | {_spread(p['ready'])} | "
                   f"{_ms(p['floor']['median'])} | {_spread(r, _x)} | {'met' if ok else '**not met**'} | {sd} | "
                   f"{split} | {p['errors']} |")
    if causes:
        out += ["", "Where the extra time goes on the pages over target:", "", *causes, "", *PAGEREADY_ABLATIONS]
    return [*out, ""]


# Hand-run experiments (not re-measured by make bench): `python -m benchmarks.pageready_one --page <page>` on a copy
# of the tree with one part of the page removed, 5 rounds each, 2026-11-22 on commit 35ef29f.
PAGEREADY_ABLATIONS = [
    "What was tried on the two pages over target (hand-run with `python -m benchmarks.pageready_one`, 5 rounds, "
    "on a copy of the tree with one part removed; medians):",
    "",
    "- The app's shell alone (sidebar navigation, presentation toggle, CSS) around the floor's own one-bar chart: "
    "1.09x. So about 0.1x of every page's ratio is the shell, and a page's own content has about 0.2x left.",
    "- sanctions as is: 1.45x; without its interactive table (st.dataframe → a static table): 1.42x; without the "
    "timeline chart: 1.39x; without the Entity List chart: 1.43x. No single part explains the gap: it is spread "
    "over two detailed charts, the table, two multiselects and the evidence blocks, each costing browser time.",
    "- money (measured by the page's helper): about 1.34x without its interactive table (its data-grid component "
    "loads about 1.3 MB of JavaScript), and about 1.30x with the simplest possible charts on top of that; removing "
    "annotations, automatic margins or bar text made no measurable difference.",
    "- Reaching 1.3x would mean dropping the sortable, clickable tables or simplifying the charts, i.e. trimming "
    "content, which the issue rules out; the gap is left, measured. Between pages of one session (the common path) "
    "no JavaScript is reloaded: see the load test's 'navigate' step.",
]


def _rerun(rr: dict, profiles: list) -> list[str]:
    out = ["## 2. Server rerun time after a filter change (AppTest)", ""]
    if not rr:
        return [*out, "Not run.", ""]
    scales = sorted(int(k) for k in rr)
    rr = {int(k): v for k, v in rr.items()}
    out += ["Cold load (fresh process, first app run; frictionless validation inside it), and a restart on the same "
            "bytes (data.load again: the validation pass is remembered by the sha256 of the files, so frictionless "
            "is skipped):", "",
            "| scale | rows | synth | frictionless validate | data.load total | first app run | restart: data.load |",
            "|---|---|---|---|---|---|---|"]
    for f in scales:
        c = rr[f].get("cold", {})
        rows = sum((rr[f].get("rows") or {}).values())
        out.append(f"| {f}x | {rows:,} | {_ms(rr[f].get('synth_s'))} | {_ms(c.get('frictionless_validate_s'))} | "
                   f"{_ms(c.get('data_load_total_s'))} | {_ms(c.get('first_app_run_s'))} | "
                   f"{_ms(c.get('restart_load_s'))}{' (validated again!)' if c.get('restart_validated') else ''} |")
    out += ["", "Rerun after a filter change: median / p90 (n; median ratio to the AppTest floor, whose median was "
            + ", ".join(f"{_ms(_floor_median(rr[f]))} at {f}x" for f in scales) + "):", "",
            "| page | control flipped | " + " | ".join(f"{f}x" for f in scales)
            + " | growth of the uncached cost (first change), log-log slope per step |",
            "|---|---|" + "---|" * len(scales) + "---|"]
    from dashboard.nav import PAGES

    for u, _t, _m in PAGES:
        first = next((rr[f]["pages"][u] for f in scales if u in rr[f]["pages"] and "control" in rr[f]["pages"][u]),
                     {})
        cells = [_rerun_cell(rr[f]["pages"].get(u), rr[f].get("limits", {})) for f in scales]
        costs = [(f, *_page_cost(rr[f]["pages"].get(u), rr[f].get("limits", {}), uncached=True)) for f in scales]
        out.append(f"| {u} | {first.get('control', '?')[:70]} | " + " | ".join(cells) + f" | {_growth(costs)} |")
    lim = ", ".join(f"{f}x: ≤{rr[f].get('limits', {}).get('reruns')} reruns, a run stopped at "
                    f"{rr[f].get('limits', {}).get('run_timeout_s')} s" for f in scales)
    out += ["", f"Limits per scale ({lim}). At the larger scales a page that takes seconds per run gets fewer "
            "samples, and pages are measured cheapest-first so the time limit only ever cuts the slowest.", ""]
    errs = [(f, u, p["errors"][0]) for f in scales for u, p in rr[f]["pages"].items() if p.get("errors")]
    if errs:
        out += ["Page errors seen during reruns (the page showed \"This view could not be drawn\" or raised):", ""]
        out += [f"- {f}x {u}: `{e[:200]}`" for f, u, e in errs[:12]]
        out += [""]
    for prof in profiles:
        out += [f"### Where the time goes: {prof['page']} at {prof['factor']}x (cProfile, {prof['reruns']} reruns, "
                f"{_ms(prof['wall_s_per_rerun'])} per rerun under the profiler)", "",
                f"Control: {prof['control']}.", "", "Self time by area, per rerun:", "",
                "| area | s per rerun | share |", "|---|---|---|"]
        tot = prof["profiled_total_s_per_rerun"] or 1
        for k, v in list(prof["self_time_by_bucket_s_per_rerun"].items())[:8]:
            out.append(f"| {k} | {v:.3f} | {v / tot:.0%} |")
        out += ["", "Heaviest dashboard functions (cumulative, per rerun):", ""]
        out += [f"- `{r['func']}` {r['cum_s_per_rerun']:.3f} s ({r['calls'] / prof['reruns']:.0f} calls per rerun)"
                for r in prof["top_dashboard_cumulative"][:10]]
        out += ["", "Most self time (where the CPU actually goes, per rerun):", ""]
        out += [f"- `{r['func']}` {r['self_s_per_rerun']:.3f} s ({r['calls'] / prof['reruns']:.0f} calls per rerun)"
                for r in prof.get("top_self", [])[:8]]
        out += ["", "Heaviest library functions (cumulative, per rerun):", ""]
        out += [f"- `{r['func']}` {r['cum_s_per_rerun']:.3f} s ({r['calls'] / prof['reruns']:.0f} calls per rerun)"
                for r in prof["top_library_cumulative"][:10]]
        out += [""]
    return out


def _floor_median(r: dict) -> float:
    xs = [p["floor"]["median"] for p in r.get("pages", {}).values() if p.get("floor", {}).get("n")]
    return sorted(xs)[len(xs) // 2] if xs else float("nan")


def _export_memory(ex: dict, pr: dict) -> list[str]:
    out = ["## 3. Briefing pack and server memory", ""]
    if ex.get("pack", {}).get("n"):
        out += [f"`python -m dashboard.export --out <tmp>` (PNG, SVG and PDF of {ex['charts']} charts, the data, "
                f"the citations): {_spread(ex['pack'])} over {ex['pack']['n']} runs; floor (kaleido started the same "
                f"way, {ex['charts']} one-bar charts in the same three formats and size): {_spread(ex['floor'])}; "
                f"ratio {_spread(ex['ratio'], _x)}.", ""]
    else:
        out += ["Briefing pack: not run or failed.", ""]
    mem = pr.get("memory", {})
    if mem.get("sessions"):
        s = mem["sessions"]
        idle, warm, during = mem["idle_after_start"], mem["after_page_ready"], s["with_sessions_open"]
        out += ["| server (streamlit + children) | processes | VmRSS | VmHWM (peak) |", "|---|---|---|---|",
                f"| just started | {idle['pids']} | {idle['rss_mib']:.0f} MiB | {idle['hwm_mib']:.0f} MiB |",
                f"| after the page-ready visits | {warm['pids']} | {warm['rss_mib']:.0f} MiB | "
                f"{warm['hwm_mib']:.0f} MiB |",
                f"| {s['sessions']} sessions open on different pages | {during['pids']} | "
                f"{during['rss_mib']:.0f} MiB | {during['hwm_mib']:.0f} MiB |", "",
                f"Opening the {s['sessions']} sessions at once took {_ms(s['all_ready_s'])} until all were drawn; "
                f"they added {during['rss_mib'] - s['before']['rss_mib']:.0f} MiB of RSS "
                f"({(during['rss_mib'] - s['before']['rss_mib']) / s['sessions']:.1f} MiB per session).", ""]
    return out


if __name__ == "__main__":  # re-render results.md from results.json without measuring again
    data = json.loads((BENCH / "results.json").read_text())
    Path(sys.argv[1] if len(sys.argv) > 1 else BENCH / "results.md").write_text(render(data))
