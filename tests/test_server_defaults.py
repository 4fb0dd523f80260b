"""The server's own defaults: the websocket (every session's data) answers only to the allowed host names."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request

import pytest

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run` with the project's .streamlit/config.toml, as `make run` starts it."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("server") / "streamlit.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port)],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the app did not start")
    yield port
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def _websocket_status(port: int, host: str) -> str:
    """The status line the server answers a websocket upgrade to /_stcore/stream with, for this Host header."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Protocol: streamlit\r\n\r\n").encode())
        reply = s.recv(4096).decode("latin-1")
    return reply.split("\r\n", 1)[0]


def test_config_names_the_allowed_hosts():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["allowedHosts"] and "*" not in config["server"]["allowedHosts"]


@pytest.mark.parametrize("host,allowed", [
    ("127.0.0.1:{port}", True), ("localhost:{port}", True), ("[::1]:{port}", True),
    ("evil.example", False), ("evil.example:{port}", False), ("127.0.0.1.evil.example:{port}", False),
    ("localhost.evil.example", False), ("user@127.0.0.1:{port}", False),
])
def test_a_foreign_host_header_is_refused(server, host, allowed):
    status = _websocket_status(server, host.format(port=server))
    assert (" 101 " in status) is allowed, status
    if not allowed:
        assert " 403 " in status
