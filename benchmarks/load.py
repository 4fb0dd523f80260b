"""Bounded load test: N concurrent browser sessions click through the dashboard on 127.0.0.1, then one session alone.

Usage: python -m benchmarks.load [--sessions 20] [--duration 60] [--json benchmarks/load_results.json]

One Chromium, one context per session (asyncio Playwright). Each session opens a page, then repeatedly moves to the
next page through the sidebar and changes the page's first selectbox/radio (or presses Next on the briefing), for a
fixed time and at most --max-actions actions, timing each step until every chart is drawn. Requests to any host
other than the app's own 127.0.0.1 port are blocked and counted as errors, so the test can never reach the internet.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from benchmarks.common import (
    BENCH,
    CHROMIUM,
    CHROMIUM_ARGS,
    DEFAULT_PAGE,
    Server,
    cpu_seconds,
    page_url,
    proc_tree_memory,
    summary,
    tree,
)

# Page errors whose cause is known, explained in the report (still counted as errors).
KNOWN_PAGE_ERRORS = {
    "reading 'typesetMath'": "a plotly.js race, reproduced on its own: a geo chart removed (the session moved to "
    "another page, or a rerun replaced it) before its base-map file arrived is drawn anyway when the file arrives, "
    "reading settings plotly already deleted. The chart is gone, so nothing visible breaks; under load the "
    "1.1 MB base map is served slowly, which widens the window (upstream: react-plotly.js issue #140).",
}
# How often each session checks whether its page is ready. Not every animation frame: twenty pages each running the
# check 60 times a second took a share of the CPU the browser needs to draw (the latency resolution is this).
POLL_MS = 100
# Seconds a session reads a page before its next click: a person in a briefing, not a script clicking non-stop.
THINK_S = 3.0
# Records when Streamlit starts and finishes a script run, from its own stApp attribute. An observer, not polling,
# so a run that starts and ends between two polls is still seen.
INIT_JS = """
window.__bench = {start: 0, end: 0};
new MutationObserver((ms) => {
  for (const m of ms) {
    const v = m.target.getAttribute('data-test-script-state');
    if (v === 'notRunning') window.__bench.end = performance.now();
    else if (v === 'running' || v === 'rerunRequested') window.__bench.start = performance.now();
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""
# Ready after an action taken at `since`: a run started after it and has finished, the status widget is gone, at
# least `expected` charts are drawn and no chart container is still waiting for its SVG. Returns ms since the action.
READY_AFTER_JS = """
(a) => {
  const b = window.__bench;
  if (a.since >= 0 && (!b || b.start <= a.since || b.end < b.start)) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const boxes = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  let drawn = 0;
  for (const c of boxes) if (c.querySelector('.main-svg')) drawn++;
  if (drawn < a.expected || drawn < boxes.length) return false;
  return Math.max(performance.now() - Math.max(a.since, 0), 0.001);
}
"""
ERROR_JS = """() => {
  const body = document.body ? document.body.innerText : '';
  return {exceptions: document.querySelectorAll('[data-testid="stException"]').length,
          not_drawn: body.includes('This view could not be drawn') ? 1 : 0,
          data_error: body.includes("data could not be loaded") ? 1 : 0,
          page_not_found: body.includes("Page not found") ? 1 : 0};
}"""
# Index of the sidebar link to a url path (the default page's link is the app's root).
LINK_JS = """(a) => {
  const links = [...document.querySelectorAll('[data-testid="stSidebarNav"] a')];
  return links.findIndex((l) => {
    const p = new URL(l.href).pathname.replace(/\\/$/, '');
    return p.endsWith('/' + a.url) || (a.isDefault && p === '');
  });
}"""
CONTROL_JS = """() => {
  const el = document.querySelector('[data-testid="stMain"] :is([data-testid="stSelectbox"], [data-testid="stRadio"])');
  return el ? el.getAttribute('data-testid') : null;
}"""


class Session:
    """One browser context clicking through the pages until its deadline or its action budget runs out."""

    def __init__(self, idx: int, browser, base: str, urls: list[str], expected: dict, stats: dict):
        self.idx, self.browser, self.base, self.urls = idx, browser, base, urls
        self.expected, self.stats = expected, stats
        self.host = urlparse(base).netloc

    async def _route(self, route):
        u = urlparse(route.request.url)
        if u.scheme in ("http", "https", "ws", "wss") and u.netloc != self.host:
            self.stats["errors"]["off_host_request"] += 1
            self.stats["off_host_urls"].append(route.request.url[:200])
            await route.abort()
        else:
            await route.continue_()

    async def _ready(self, pg, since: float, expected: int, kind: str, url: str, timeout: float) -> bool:
        try:
            h = await pg.wait_for_function(READY_AFTER_JS, arg={"since": since, "expected": expected},
                                           polling=POLL_MS, timeout=timeout * 1000)
            self.stats["latency"][kind].append(await h.json_value() / 1000)
        except Exception as exc:  # Playwright's TimeoutError, or the page closing at the end
            self.stats["errors"]["timeout"] += 1
            self.stats["error_detail"].append(f"{kind} {url}: {type(exc).__name__}")
            return False
        err = await pg.evaluate(ERROR_JS)
        for k, v in err.items():
            if v:
                self.stats["errors"][k] += v
                self.stats["error_detail"].append(f"{k} on {url} after {kind}")
        return True

    async def _change_widget(self, pg, url: str, timeout: float) -> None:
        """Change the page's first choice, as a person would: open it and pick another option."""
        kind = await pg.evaluate(CONTROL_JS)
        since = await pg.evaluate("performance.now()")
        try:
            if kind == "stRadio":
                box = pg.locator('[data-testid="stMain"] [data-testid="stRadio"]').first
                await box.locator("label:has(input:not(:checked))").first.click(timeout=10_000)
            elif kind == "stSelectbox":
                box = pg.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
                await box.scroll_into_view_if_needed(timeout=10_000)  # a click that scrolls may not open the menu
                await box.click(timeout=10_000)
                option = pg.locator('[role="option"][aria-selected="false"]').first
                try:
                    await option.wait_for(timeout=3_000)
                except Exception:  # menu still closed: the keyboard opens it
                    await pg.keyboard.press("ArrowDown")
                await option.click(timeout=10_000)
            else:
                nxt = pg.get_by_role("button", name="Next")
                if await nxt.count() and await nxt.first.is_enabled():
                    await nxt.first.click(timeout=10_000)
                else:
                    return  # nothing to change on this page (e.g. the overview)
        except Exception as exc:  # the control may be re-rendering; not an app error, but worth knowing
            self.stats["skipped_widget"] += 1
            self.stats["error_detail"].append(f"widget on {url}: {type(exc).__name__}")
            return
        await self._ready(pg, since, 0, "widget", url, timeout)

    async def run(self, deadline: float, max_actions: int, timeout: float, delay: float = 0,
                  think: float = 0) -> None:
        await asyncio.sleep(delay)  # ramp-up: people arrive over seconds, not in the same millisecond
        ctx = await self.browser.new_context(viewport={"width": 1280, "height": 720})
        try:
            await ctx.route("**/*", self._route)
            await ctx.add_init_script(INIT_JS)
            pg = await ctx.new_page()
            pg.on("pageerror", lambda e: self._page_error(str(e)))
            i = self.idx % len(self.urls)
            url = self.urls[i]
            await pg.goto(page_url(self.base, url), wait_until="commit")
            await self._ready(pg, -1, self.expected[url], "load", url, timeout)  # -1: time from navigation start
            actions = 1
            while time.monotonic() < deadline and actions < max_actions:
                await asyncio.sleep(think)  # a person reads the page before the next click
                await self._change_widget(pg, url, timeout)
                actions += 1
                if time.monotonic() >= deadline:
                    break
                await asyncio.sleep(think)
                i = (i + 1) % len(self.urls)
                url = self.urls[i]
                n = await pg.evaluate(LINK_JS, {"url": url, "isDefault": i == 0})
                since = await pg.evaluate("performance.now()")
                clicked = False
                if n >= 0:
                    try:
                        await pg.locator('[data-testid="stSidebarNav"] a').nth(n).click(timeout=10_000)
                        clicked = True
                    except Exception as exc:  # covered by a dialog or re-rendering: counted, then a full load
                        self.stats["skipped_nav"] += 1
                        self.stats["error_detail"].append(f"sidebar link to {url}: {type(exc).__name__}")
                if clicked:
                    await self._ready(pg, since, self.expected[url], "navigate", url, timeout)
                else:  # no usable sidebar link: a full load of the url instead
                    await pg.goto(page_url(self.base, url), wait_until="commit")
                    await self._ready(pg, -1, self.expected[url], "load", url, timeout)
                actions += 1
            self.stats["actions"] += actions
        except Exception as exc:
            self.stats["errors"]["session_crash"] += 1
            self.stats["error_detail"].append(f"session {self.idx}: {type(exc).__name__}: {str(exc)[:200]}")
        finally:
            await ctx.close()

    def _page_error(self, msg: str) -> None:
        self.stats["errors"]["page_error"] += 1
        self.stats["error_detail"].append(f"pageerror: {msg[:200]}")


def _new_stats() -> dict:
    return {"latency": {"load": [], "navigate": [], "widget": []}, "actions": 0, "skipped_widget": 0, "skipped_nav": 0,
            "errors": {k: 0 for k in ("exceptions", "not_drawn", "data_error", "page_not_found", "page_error",
                                      "off_host_request", "timeout", "session_crash")},
            "error_detail": [], "off_host_urls": []}


async def _phase(browser, base, urls, expected, sessions, duration, max_actions, timeout, server_pid,
                 ramp: float = 0, think: float = 0) -> dict:
    stats = _new_stats()
    deadline = time.monotonic() + ramp + duration
    peak = {"rss_mib": 0.0, "hwm_mib": 0.0}

    async def sample():
        while time.monotonic() < deadline + timeout:
            m = proc_tree_memory(server_pid)
            peak["rss_mib"] = max(peak["rss_mib"], m["rss_mib"])
            peak["hwm_mib"] = max(peak["hwm_mib"], m["hwm_mib"])
            await asyncio.sleep(1)

    sampler = asyncio.create_task(sample())
    # CPU split: the server's process tree, and everything else we started (Playwright's driver and Chromium)
    server_cpu0 = cpu_seconds(tree(server_pid))
    ours_cpu0 = cpu_seconds(tree(os.getpid())) - server_cpu0
    t = time.monotonic()
    jobs = [Session(i, browser, base, urls, expected, stats).run(deadline, max_actions, timeout, i * ramp / sessions,
                                                                think) for i in range(sessions)]
    # hard stop: every wait inside has its own timeout, this is the belt to those braces
    await asyncio.wait_for(asyncio.gather(*jobs), timeout=ramp + duration + 3 * timeout + 30)
    sampler.cancel()
    server_cpu = cpu_seconds(tree(server_pid)) - server_cpu0
    browser_cpu = cpu_seconds(tree(os.getpid())) - server_cpu0 - server_cpu - ours_cpu0
    wall = time.monotonic() - t
    lat = stats["latency"]
    every = lat["navigate"] + lat["widget"] + lat["load"]
    return {"sessions": sessions, "duration_s": duration, "ramp_s": ramp, "think_s": think, "wall_s": wall,
            "actions": stats["actions"], "cpu": {"server_s": server_cpu, "browser_and_driver_s": browser_cpu,
                                                 "machine_cpus": os.cpu_count(), "loadavg_end": os.getloadavg()[0]},
            "latency": {k: summary(v) | {"p95": _q(v, 0.95), "p50": _q(v, 0.5)} for k, v in lat.items()},
            "all_steps": summary(every) | {"p95": _q(every, 0.95), "p50": _q(every, 0.5)},
            "errors": stats["errors"], "error_total": _app_errors(stats["errors"]),
            "timeouts": stats["errors"].get("timeout", 0) + stats["errors"].get("session_crash", 0),
            "skipped_widget": stats["skipped_widget"], "skipped_nav": stats["skipped_nav"],
            "error_detail": stats["error_detail"][:30],
            "known_page_errors": {k: sum(k in d for d in stats["error_detail"]) for k in KNOWN_PAGE_ERRORS},
            "off_host_urls": sorted(set(stats["off_host_urls"]))[:10], "server_memory_peak": peak}


FAILURE_TEXTS = ("could not be drawn", "could not be loaded")  # app.py's messages for a failed page / data load


class WireSession:
    """A browserless session: Streamlit's own websocket protocol, asking the server to run page after page.

    Twenty Chromium tabs need far more CPU than the server on a small machine, so this second measurement
    isolates the server: the same page runs, the same error checks, no rendering.
    """

    def __init__(self, idx: int, base: str, urls: list[str], stats: dict):
        self.idx, self.base, self.urls, self.stats = idx, base, urls, stats

    async def _run_page(self, ws, url: str, timeout: float) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = "" if url == DEFAULT_PAGE else url  # the default page has no url path
        t = time.perf_counter()
        await ws.send(msg.SerializeToString())
        end = time.monotonic() + timeout
        received = 0
        while True:
            received += 1
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=max(0.1, end - time.monotonic())))
            kind = fm.WhichOneof("type")
            if kind == "page_not_found":
                self._err("page_not_found", url)
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                which = el.WhichOneof("type")
                if which == "exception":
                    self._err("exceptions", url)
                elif which == "alert" and any(t in el.alert.body for t in FAILURE_TEXTS):
                    self._err("not_drawn", url)
            elif kind == "script_finished":
                if fm.script_finished not in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_EARLY_FOR_RERUN):
                    self._err("script_failed", url)
                self.stats["latency"]["navigate"].append(time.perf_counter() - t)
                self.stats.setdefault("messages", {}).setdefault(url, []).append(received)
                return

    def _err(self, kind: str, url: str) -> None:
        self.stats["errors"][kind] = self.stats["errors"].get(kind, 0) + 1
        self.stats["error_detail"].append(f"{kind} on {url} (websocket)")

    async def run(self, deadline: float, max_actions: int, timeout: float, delay: float = 0, think: float = 0) -> None:
        import websockets

        await asyncio.sleep(delay)
        ws_url = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        actions, i = 0, self.idx % len(self.urls)
        try:
            async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as ws:
                while time.monotonic() < deadline and actions < max_actions:
                    try:
                        await self._run_page(ws, self.urls[i], timeout)
                    except TimeoutError:
                        self._err("timeout", self.urls[i])
                        break  # the session's stream is out of step now; stop it rather than misattribute
                    actions += 1
                    i = (i + 1) % len(self.urls)
                    if think:  # a person reading the page before the next click
                        await asyncio.sleep(think)
        except Exception as exc:  # refused or dropped connection
            self._err("session_crash", f"{type(exc).__name__}: {str(exc)[:100]}")
        self.stats["actions"] += actions


async def _wire_phase(base, urls, sessions, duration, max_actions, timeout, server_pid, ramp: float = 0) -> dict:
    stats = _new_stats()
    deadline = time.monotonic() + ramp + duration
    cpu0 = cpu_seconds(tree(server_pid))
    t = time.monotonic()
    jobs = [WireSession(i, base, urls, stats).run(deadline, max_actions, timeout, i * ramp / sessions)
            for i in range(sessions)]
    await asyncio.wait_for(asyncio.gather(*jobs), timeout=ramp + duration + 2 * timeout + 30)
    wall = time.monotonic() - t
    nav = stats["latency"]["navigate"]
    return {"sessions": sessions, "duration_s": duration, "ramp_s": ramp, "wall_s": wall, "actions": stats["actions"],
            "cpu": {"server_s": cpu_seconds(tree(server_pid)) - cpu0, "machine_cpus": os.cpu_count(),
                    "loadavg_end": os.getloadavg()[0]},
            "latency": summary(nav) | {"p95": _q(nav, 0.95), "p50": _q(nav, 0.5)},
            "errors": stats["errors"], "error_total": _app_errors(stats["errors"]),
            "timeouts": stats["errors"].get("timeout", 0) + stats["errors"].get("session_crash", 0),
            "error_detail": stats["error_detail"][:20]}


def _q(xs, q):
    from benchmarks.common import quantile

    return quantile(xs, q)


async def _warm(browser, base, urls, expected) -> None:
    """One visit per page fills the server's caches, so the first phase does not pay the data load alone."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        await ctx.add_init_script(INIT_JS)
        pg = await ctx.new_page()
        for u in urls:
            await pg.goto(page_url(base, u), wait_until="commit")
            with contextlib.suppress(Exception):  # a slow or broken page is measured (and counted) later
                await pg.wait_for_function(READY_AFTER_JS, arg={"since": -1, "expected": expected[u]},
                                           polling=100, timeout=120_000)
    finally:
        await ctx.close()


async def _main_async(a, base, urls, expected, server_pid) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await _warm(browser, base, urls, expected)
            many = await _phase(browser, base, urls, expected, a.sessions, a.duration, a.max_actions, a.timeout,
                                server_pid, a.ramp, a.think)
            print(f"load: {a.sessions} sessions done ({many['actions']} actions)", file=sys.stderr, flush=True)
            one = await _phase(browser, base, urls, expected, 1, a.duration, a.max_actions, a.timeout, server_pid,
                               think=a.think)
            print(f"load: 1 session done ({one['actions']} actions)", file=sys.stderr, flush=True)
        finally:
            await browser.close()
    wire = {}
    if a.wire_duration > 0:
        # the browser is closed now, so the server has the CPUs to itself (apart from other work on the machine)
        wire["many"] = await _wire_phase(base, urls, a.sessions, a.wire_duration, a.max_actions, a.timeout,
                                         server_pid, a.ramp)
        wire["one"] = await _wire_phase(base, urls, 1, a.wire_duration, a.max_actions, a.timeout, server_pid)
        print(f"load: websocket-only phases done ({wire['many']['actions']} / {wire['one']['actions']} page runs)",
              file=sys.stderr, flush=True)
    return {"many": many, "one": one, "wire": wire}


def run(sessions: int = 20, duration: float = 60, max_actions: int = 400, timeout: float = 120,
        expected: dict | None = None, ramp: float = 10, wire_duration: float | None = None,
        think: float = THINK_S) -> dict:
    """Start a server on 127.0.0.1, run both phases, stop the server; returns the summary dict."""
    from benchmarks.rerun import chart_counts
    from dashboard.nav import PAGES

    urls = [u for u, _t, _m in PAGES]
    expected = expected or chart_counts()
    a = argparse.Namespace(sessions=sessions, duration=duration, max_actions=max_actions, timeout=timeout, ramp=ramp,
                           think=think,
                           wire_duration=duration if wire_duration is None else wire_duration)
    with Server("dashboard/app.py", log=Path("/tmp/bench-load-app.log")) as app:
        host = urlparse(app.url).hostname
        if host not in ("127.0.0.1", "localhost"):  # the load must never leave the machine
            raise SystemExit(f"refusing to load-test {app.url}: 127.0.0.1 only")
        res = asyncio.run(_main_async(a, app.url, urls, expected, app.proc.pid))
    res["expected_charts"], res["timeout"] = expected, timeout
    return res


def markdown(res: dict) -> str:
    """The load section of results.md."""
    many, one = res["many"], res["one"]

    def ms(x):
        return f"{x * 1000:.0f} ms" if x == x else "n/a"

    rows = []
    for k in ("load", "navigate", "widget"):
        m, o = many["latency"][k], one["latency"][k]
        ratio = m["p50"] / o["p50"] if o["n"] and m["n"] and o["p50"] else float("nan")
        rows.append(f"| {k} | {m['n']} | {ms(m['p50'])} | {ms(m['p95'])} | {o['n']} | {ms(o['p50'])} | "
                    f"{ms(o['p95'])} | {ratio:.1f}x |")
    ma, oa = many["all_steps"], one["all_steps"]
    rows.append(f"| **all steps** | {ma['n']} | {ms(ma['p50'])} | {ms(ma['p95'])} | {oa['n']} | {ms(oa['p50'])} | "
                f"{ms(oa['p95'])} | {ma['p50'] / oa['p50'] if oa['p50'] else float('nan'):.1f}x |")
    errs = many["error_total"] + one["error_total"]
    slow = many["timeouts"] + one["timeouts"]
    out = [f"{many['sessions']} concurrent sessions (started over {many.get('ramp_s', 0):.0f} s) vs 1 session, "
           f"{many['duration_s']:.0f} s each, each session pausing {many.get('think_s', 0):.0f} s between steps "
           "(reading the page), 127.0.0.1 only (one Chromium, one context per session). Latency = "
           "from the click (or navigation start) until the run has finished and every chart is drawn. The browser "
           f"runs on the same {os.cpu_count()} CPUs as the server, so at {many['sessions']} sessions Chromium's own "
           "rendering competes with the server for CPU.", "",
           f"| step | n ({many['sessions']}) | p50 | p95 | n (1) | p50 | p95 | p50 ratio |",
           "|---|---|---|---|---|---|---|---|", *rows, "",
           f"App errors (exception elements, \"could not be drawn\", page errors, off-host requests, page not "
           f"found): **{errs}** (target 0). Steps that did not finish within {res.get('timeout', 60):.0f} s or "
           f"sessions that broke off: **{slow}**. By kind — {many['sessions']} sessions: "
           f"{_nonzero(many['errors'])}; 1 session: {_nonzero(one['errors'])}. Widget changes / sidebar clicks skipped "
           f"(control not clickable in time; {many['sessions']} / 1 sessions): {many['skipped_widget']} / "
           f"{one['skipped_widget']}, {many['skipped_nav']} / {one['skipped_nav']}. "
           f"Actions completed: {many['actions']} / {one['actions']}. Peak server memory during the "
           f"{many['sessions']}-session phase: {many['server_memory_peak']['hwm_mib']:.0f} MiB (VmHWM).",
           ]
    for needle, why in KNOWN_PAGE_ERRORS.items():
        n = sum(ph.get("known_page_errors", {}).get(needle, 0) for ph in (many, one))
        if n:
            out += ["", f"{n} of the page errors are “{needle}”: {why}"]
    for ph in (many, one):
        c = ph.get("cpu")
        if c:
            out += ["", f"CPU during the {ph['sessions']}-session phase ({ph['wall_s']:.0f} s wall, "
                    f"{c['machine_cpus']} CPUs, so {ph['wall_s'] * c['machine_cpus']:.0f} CPU-s available): "
                    f"server {c['server_s']:.0f} CPU-s ({c['server_s'] / ph['wall_s']:.0%} of one CPU), "
                    f"Chromium + Playwright {c['browser_and_driver_s']:.0f} CPU-s; load average at the end "
                    f"{c['loadavg_end']:.1f} (other work on the machine takes the rest)."]
    wire = res.get("wire") or {}
    if wire.get("many"):
        wm, wo = wire["many"], wire["one"]
        both = wo["latency"]["n"] and wm["latency"]["n"]
        ratio = wm["latency"]["p50"] / wo["latency"]["p50"] if both else float("nan")
        out += ["", f"**Server only** (no browser: {wm['sessions']} sessions speaking Streamlit's websocket protocol, "
                f"each asking for page after page, {wm['duration_s']:.0f} s; latency = request to `script_finished`):",
                "", "| sessions | page runs | p50 | p95 | errors | server CPU |", "|---|---|---|---|---|---|"]
        for w in (wm, wo):
            out.append(f"| {w['sessions']} | {w['latency']['n']} | {ms(w['latency']['p50'])} | "
                       f"{ms(w['latency']['p95'])} | {w['error_total']} app, {w['timeouts']} timed out | "
                       f"{w['cpu']['server_s'] / w['wall_s']:.0%} of one CPU |")
        out += ["", f"p50 ratio {wm['sessions']} : 1 = {ratio:.1f}x (a Streamlit server runs scripts in threads of one "
                "Python process, so concurrent page runs share one CPU's worth of Python)."]
    if many["error_detail"] or one["error_detail"]:
        out += ["", "First error details: " + "; ".join((many["error_detail"] + one["error_detail"])[:8])]
    if many["off_host_urls"] or one["off_host_urls"]:
        out += ["", "Blocked off-host requests: " + ", ".join(many["off_host_urls"] + one["off_host_urls"])]
    return "\n".join(out) + "\n"


# What the app did wrong, as opposed to a step that did not finish within the timeout (reported apart: on a small
# machine that is usually the load generator's own CPU starvation, see the CPU split).
HARNESS = ("timeout", "session_crash")


def _app_errors(errors: dict) -> int:
    return sum(v for k, v in errors.items() if k not in HARNESS)


def _nonzero(errors: dict) -> str:
    bad = {k: v for k, v in errors.items() if v}
    return ", ".join(f"{k} {v}" for k, v in bad.items()) or "none"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60, help="seconds per phase")
    ap.add_argument("--max-actions", type=int, default=400, help="per session, so the loop is bounded in count too")
    ap.add_argument("--timeout", type=float, default=120,
                    help="seconds to wait for one step before counting it as not finished")
    ap.add_argument("--think", type=float, default=THINK_S,
                    help="seconds a session waits between steps, reading the page (0 = click non-stop)")
    ap.add_argument("--ramp", type=float, default=10, help="seconds over which the sessions start")
    ap.add_argument("--wire-duration", type=float, help="seconds per browserless (websocket) phase; 0 skips them "
                    "(default: --duration)")
    ap.add_argument("--counts", type=Path, help="JSON {url path: charts} from benchmarks.rerun (else computed here)")
    ap.add_argument("--json", type=Path, default=BENCH / "load_results.json")
    a = ap.parse_args(argv)
    counts = json.loads(a.counts.read_text()) if a.counts else None
    res = run(a.sessions, a.duration, a.max_actions, a.timeout, counts, a.ramp, a.wire_duration, a.think)
    a.json.write_text(json.dumps(res, indent=1))
    md = markdown(res)
    (a.json.with_suffix(".md")).write_text(md)
    print(md)
    wire = res.get("wire") or {}
    errors = res["many"]["error_total"] + res["one"]["error_total"] + sum(w["error_total"] for w in wire.values())
    return 0 if errors == 0 else 1  # app errors fail `make load`; slow steps are reported, not failed


if __name__ == "__main__":
    raise SystemExit(main())
