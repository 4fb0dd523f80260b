"""Shared helpers for the benchmarks: statistics, machine description, and a local Streamlit server."""

from __future__ import annotations

import contextlib
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
PY = sys.executable
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# the same flags as the real-browser tests (tests/browser/conftest.py), so timings match what CI exercises
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


# The default page (st.Page(default=True) in dashboard/nav.py) lives at the app's root; /overview answers with a
# "Page not found" dialog that makes the whole page inert, so its URL must be "/".
DEFAULT_PAGE = "overview"


def page_url(base: str, url_path: str) -> str:
    return f"{base}/" if url_path == DEFAULT_PAGE else f"{base}/{url_path}"


def quantile(xs: list[float], q: float) -> float:
    """Linear-interpolated quantile; tolerant of tiny samples (the machine is shared, so runs are few)."""
    s = sorted(xs)
    if not s:
        return float("nan")
    pos = (len(s) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def summary(xs: list[float]) -> dict:
    """Median, p10/p90 (the spread we report) and count."""
    return {"n": len(xs), "median": statistics.median(xs) if xs else float("nan"), "p10": quantile(xs, 0.1),
            "p90": quantile(xs, 0.9), "min": min(xs) if xs else float("nan"), "max": max(xs) if xs else float("nan")}


def machine() -> dict:
    """What the numbers were measured on: they mean little without it."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    import plotly
    import streamlit

    try:
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        chromium = "not found"
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {"nproc": os.cpu_count(), "mem_gib": round(mem_kb / 2**20, 1), "cpu": cpu,
            "python": platform.python_version(), "streamlit": streamlit.__version__, "plotly": plotly.__version__,
            "chromium": chromium, "kernel": platform.release(), "loadavg": [round(x, 2) for x in load]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run <script>` on 127.0.0.1 and a free port, started and stopped by us (by pid, never by name)."""

    def __init__(self, script: str | Path, env: dict | None = None, log: Path | None = None):
        self.script, self.port = str(script), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.log_path = log or Path(f"/tmp/bench-streamlit-{self.port}.log")
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(
            [PY, "-m", "streamlit", "run", self.script, "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {self.log_path}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"streamlit did not answer within 90 s; see {self.log_path}")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log.close()


def _children(p: int) -> list[int]:
    kids = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{p}/task").iterdir():
            with contextlib.suppress(OSError):
                kids += [int(c) for c in (task / "children").read_text().split()]
    return kids


def tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += _children(p)
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User+system CPU of these processes, including their reaped children (so closed browser tabs still count)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return total / tick


def proc_tree_memory(pid: int) -> dict:
    """VmRSS and VmHWM (peak RSS) in MiB of a process and all its descendants, read from /proc."""
    def status(p: int) -> dict:
        out = {}
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(("VmRSS:", "VmHWM:")):
                    k, v = line.split(":", 1)
                    out[k] = int(v.split()[0]) / 1024
        return out

    pids = tree(pid)
    per = {p: status(p) for p in pids}
    return {"pids": len(pids), "rss_mib": sum(s.get("VmRSS", 0) for s in per.values()),
            "hwm_mib": sum(s.get("VmHWM", 0) for s in per.values()),
            "main_hwm_mib": per[pid].get("VmHWM", 0), "main_rss_mib": per[pid].get("VmRSS", 0)}


def fmt_ms(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x == x else "n/a"
