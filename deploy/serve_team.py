"""`make serve-team`: N Streamlit replicas on local ports behind Debian's nginx, in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
NGINX = os.environ.get("NGINX", shutil.which("nginx") or "/usr/sbin/nginx")
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
BROTLI_STATIC_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
BROTLI = ("brotli on;\n    brotli_comp_level 5;\n    brotli_min_length 1024;\n    brotli_types text/plain text/css "
          "text/javascript application/javascript application/json application/geo+json application/manifest+json "
          "image/svg+xml font/ttf;")

COMPOSE_PREFIX = "/var/lib/nginx/team"
COMPOSE_NOTE = ("# Generated from deploy/nginx.conf by `python -m deploy.serve_team --render deploy/nginx.compose.conf "
                "--upstream app:8501 --port 8080`;\n# do not edit (tests/test_deploy.py checks it is current).\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def inline_script_hashes() -> str:
    """CSP hashes of the inline scripts in the installed Streamlit's index.html, so the CSP need not allow inline."""
    import streamlit

    html = (Path(streamlit.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
    bodies = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in bodies)


def render(prefix: Path | str, listen: str, upstreams: list[str], brotli: bool | None = None,
           user: str | None = None, brotli_static: bool | None = None) -> str:
    """deploy/nginx.conf with its @NAME@ fields filled for these replicas ("host:port" each). Static files come from
    {prefix}/www (deploy/precompress.py's copy) when it has them, else from the replicas."""
    brotli = BROTLI_MODULE.exists() if brotli is None else brotli
    brotli_static = BROTLI_STATIC_MODULE.exists() if brotli_static is None else brotli_static
    modules = [m for m, on in ((BROTLI_MODULE, brotli), (BROTLI_STATIC_MODULE, brotli_static)) if on]
    fields = {
        "PREFIX": str(prefix), "LISTEN": listen, "MIME_TYPES": "/etc/nginx/mime.types",
        "UPSTREAMS": "\n        ".join(f"server {u} max_fails=3 fail_timeout=10s;" for u in upstreams),
        "BROTLI_MODULE": "\n".join(f"load_module {m};" for m in modules),
        "BROTLI": BROTLI if brotli else "",
        "BROTLI_STATIC": "brotli_static on;" if brotli_static else "",
        "STATIC_ROOT": f"{prefix}/www",
        "SCRIPT_HASHES": inline_script_hashes(),
    }
    text = re.sub(r"^#.*\n", "", TEMPLATE.read_text(), count=0, flags=re.M)  # the template's own notes
    for k, v in fields.items():
        text = text.replace(f"@{k}@", v)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise ValueError(f"unfilled fields in {TEMPLATE}: {left}")
    if user:
        text = f"user {user};\n" + text
    return text


def _healthy(url: str) -> bool:
    with contextlib.suppress(OSError):
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    return False


class Team:
    """Replicas + nginx, started together and stopped together (by pid, never by name)."""

    def __init__(self, replicas: int = 2, port: int = 8080, address: str = "127.0.0.1",
                 hosts: list[str] | None = None, env: dict | None = None, prefix: Path | None = None):
        self.replicas, self.port, self.address = replicas, port, address
        self.hosts = hosts or ["localhost", "127.0.0.1"]
        self.env = {**os.environ, **(env or {})}
        self.prefix = Path(prefix or tempfile.mkdtemp(prefix="serve-team-"))
        self.replica_ports = [free_port() for _ in range(replicas)]
        self.procs: list[subprocess.Popen] = []
        self.url = f"http://{'127.0.0.1' if address in ('0.0.0.0', '') else address}:{port}"
        self._logs: list = []

    def _spawn(self, args: list[str], log: str, **kw) -> subprocess.Popen:
        f = open(self.prefix / log, "w")  # noqa: SIM115 - closed in stop()
        self._logs.append(f)
        p = subprocess.Popen(args, stdout=f, stderr=subprocess.STDOUT, env=self.env, **kw)
        self.procs.append(p)
        return p

    def _replica(self, port: int, mode: str = "w") -> subprocess.Popen:
        allowed = [a for h in self.hosts for a in ("--server.allowedHosts", h)]
        f = open(self.prefix / f"replica-{port}.log", mode)  # noqa: SIM115 - closed in stop()
        self._logs.append(f)
        return subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port",
                                 str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
                                 "--server.fileWatcherType", "none", *allowed],
                                stdout=f, stderr=subprocess.STDOUT, env=self.env, cwd=ROOT)

    def replicas_procs(self) -> list[subprocess.Popen]:
        return self.procs[: len(self.replica_ports)]

    def watch(self) -> list[int]:
        """Restart any replica that exited, on its port (nginx routes around it meanwhile); the ports restarted."""
        restarted = []
        for i, (port, proc) in enumerate(zip(self.replica_ports, self.replicas_procs(), strict=True)):
            if proc.poll() is not None:
                self.procs[i] = self._replica(port, "a")
                restarted.append(port)
        return restarted

    def start(self, timeout: float = 120) -> Team:
        self.prefix.mkdir(parents=True, exist_ok=True)
        self.prefix.chmod(0o755)
        self._static()  # before the replicas: the first build takes a minute of both cores
        self.procs = [self._replica(p) for p in self.replica_ports]  # replicas first, nginx last
        deadline = time.time() + timeout
        for p in self.replica_ports:
            while not _healthy(f"http://127.0.0.1:{p}/_stcore/health"):
                self._check_alive()
                if time.time() > deadline:
                    self.stop()
                    raise RuntimeError(f"replica on port {p} not healthy within {timeout:.0f} s; see {self.prefix}")
                time.sleep(0.3)
        conf = self.prefix / "nginx.conf"
        # root's nginx runs its workers as nobody (who can enter the 0755 temp dir); anyone else's as themselves
        conf.write_text(render(self.prefix, f"{self.address}:{self.port}",
                               [f"127.0.0.1:{p}" for p in self.replica_ports],
                               user="nobody nogroup" if os.geteuid() == 0 else None))
        test = subprocess.run([NGINX, "-t", "-q", "-p", str(self.prefix), "-e", str(self.prefix / "error.log"),
                               "-c", str(conf)], capture_output=True, text=True)
        if test.returncode:
            self.stop()
            raise RuntimeError(f"nginx rejected {conf}: {test.stderr.strip()}")
        self._spawn([NGINX, "-p", str(self.prefix), "-e", str(self.prefix / "error.log"), "-c", str(conf),
                     "-g", "daemon off;"], "nginx.log")
        while not _healthy(f"{self.url}/healthz"):
            self._check_alive()
            if time.time() > deadline:
                self.stop()
                raise RuntimeError(f"nginx did not answer within {timeout:.0f} s; see {self.prefix}")
            time.sleep(0.2)
        return self

    def _static(self) -> None:
        """The precompressed static files into {prefix}/www for nginx; without them, the replicas serve them."""
        from deploy import precompress

        part = self.prefix / "www.part"  # renamed when whole: nginx never serves a half-copied file
        try:
            shutil.copytree(precompress.cached(log=lambda m: print(m, file=sys.stderr, flush=True)), part)
            part.rename(self.prefix / "www")
        except Exception as exc:  # noqa: BLE001 - the copy only saves bytes: without it the replicas serve the files
            shutil.rmtree(part, ignore_errors=True)
            print(f"static files go through the replicas, uncompressed until nginx compresses them: could not "
                  f"prepare the precompressed copy ({type(exc).__name__}: {exc})", file=sys.stderr, flush=True)

    def _check_alive(self) -> None:
        dead = [p for p in self.procs if p.poll() is not None]
        if dead:
            self.stop()
            raise RuntimeError(f"{dead[0].args[0]} exited with {dead[0].returncode}; logs in {self.prefix}")

    def stop(self) -> None:
        for p in reversed(self.procs):  # nginx first, so no request reaches a replica that is going away
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=15)
        for f in self._logs:
            f.close()
        self._logs.clear()

    def __enter__(self) -> Team:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--replicas", type=int, default=int(os.environ.get("REPLICAS", 2)))
    ap.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8080)))
    ap.add_argument("--address", default=os.environ.get("ADDRESS", "127.0.0.1"),
                    help="where nginx listens (0.0.0.0 to serve the network; put TLS in front)")
    ap.add_argument("--hosts", default=os.environ.get("HOSTS", "localhost,127.0.0.1"),
                    help="comma-separated host names colleagues use (Streamlit's server.allowedHosts)")
    ap.add_argument("--render", type=Path, metavar="OUT", help="only write the nginx config for --upstream servers "
                    "(deploy/compose.yaml's proxy uses deploy/nginx.compose.conf, made this way)")
    ap.add_argument("--upstream", action="append", default=[], help="host:port of a replica, for --render")
    a = ap.parse_args(argv)
    if a.render:
        conf = render(COMPOSE_PREFIX, f"{a.port}", a.upstream, brotli=True, brotli_static=True, user="www-data")
        a.render.write_text(COMPOSE_NOTE + conf)
        return 0
    if not Path(NGINX).exists():
        print("nginx not found: `make setup` installs Debian's nginx (as root), or `apt-get install nginx`.",
              file=sys.stderr)
        return 2
    team = Team(a.replicas, a.port, a.address, [h.strip() for h in a.hosts.split(",") if h.strip()])
    stop = False

    def _stop(*_):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        team.start()
        print(f"serving {team.url} : nginx -> {a.replicas} replicas on ports "
              f"{', '.join(map(str, team.replica_ports))}; logs in {team.prefix}; Ctrl-C stops", flush=True)
        while not stop:
            for port in team.watch():
                print(f"replica on port {port} exited; restarted (log: {team.prefix}/replica-{port}.log)",
                      file=sys.stderr, flush=True)
            if team.procs[-1].poll() is not None:
                print(f"nginx exited; stopping (logs in {team.prefix})", file=sys.stderr)
                return 1
            time.sleep(0.5)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        team.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
