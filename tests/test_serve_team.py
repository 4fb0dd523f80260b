"""`make serve-team` for real: Debian's nginx in front of two Streamlit replicas, started by the test on free ports."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import time
import urllib.request
from pathlib import Path

import pytest

from deploy import serve_team

pytestmark = pytest.mark.skipif(not Path(serve_team.NGINX).exists(),
                                reason="no nginx: `make setup` (as root) or `apt-get install nginx` installs it")


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()


def main_bundle(team) -> str:
    _s, _h, html = get(team.url + "/")
    return "/" + re.search(rb'src="\./(static/js/index\.[^"]+\.js)"', html).group(1).decode()


def upstreams(team, route: str) -> set[str]:
    log = (team.prefix / "access.log").read_text()
    return {m.group(1) for m in re.finditer(rf"route={re.escape(route)} upstream=(\S+)", log)}


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_javascript_is_compressed_and_cached_for_a_year(team, encoding):
    js = main_bundle(team)
    _s, plain_h, plain = get(team.url + js)
    status, h, body = get(team.url + js, {"Accept-Encoding": encoding})
    assert status == 200
    assert h.get("content-encoding") == encoding
    assert len(body) < len(plain) / 3, f"{encoding}: {len(body)} of {len(plain)} bytes"
    assert h["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-encoding" not in plain_h  # a client that asks for nothing gets plain bytes


def test_the_topojson_is_compressed(team):
    _s, h, body = get(team.url + "/app/static/topojson/world_110m.json", {"Accept-Encoding": "gzip"})
    assert h.get("content-encoding") == "gzip"
    assert len(body) < 100_000


def test_security_headers_on_the_page_and_assets(team):
    for path in ("/", main_bundle(team), "/healthz"):
        _s, h, _b = get(team.url + path)
        csp = h["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp and "'unsafe-eval'" not in csp
        assert "script-src 'self' 'sha256-" in csp  # Streamlit's one inline script by hash, not 'unsafe-inline'
        assert h["x-frame-options"] == "SAMEORIGIN"
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "same-origin"
    _s, h, _b = get(team.url + "/")
    assert h["cache-control"] == "no-cache"  # the page itself is never cached: it names the current bundles


def test_health_goes_through_to_a_replica(team):
    status, _h, body = get(team.url + "/healthz")
    assert (status, body) == (200, b"ok")


def test_a_session_sticks_to_one_replica_and_sessions_spread(team):
    for _ in range(6):
        get(team.url + "/", {"Cookie": "ca_route=sticky-test-1"})
    assert len(upstreams(team, "sticky-test-1")) == 1
    seen = set()
    for _ in range(20):  # no cookie: nginx gives each a random route, which it sets as the cookie
        _s, h, _b = get(team.url + "/")
        route = re.match(r"ca_route=(\w+);", h["set-cookie"]).group(1)
        time.sleep(0.05)
        seen |= upstreams(team, route)
    assert len(seen) == len(team.replica_ports) == 2


async def _run_page(url: str, extra_headers: dict | None = None) -> str:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None,
                                  additional_headers=extra_headers or {}) as ws:
        msg = BackMsg()
        msg.rerun_script.page_name = "sanctions"
        await ws.send(msg.SerializeToString())
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=60))
            if fm.WhichOneof("type") == "script_finished":
                return ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished)


def _run(coro):
    """asyncio.run in a thread of its own: Playwright's sync API (the browser tests' session fixture) may keep an
    event loop running on the main thread, where asyncio.run refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_the_websocket_is_upgraded_and_runs_a_page(team):
    ws = team.url.replace("http://", "ws://") + "/_stcore/stream"
    assert _run(_run_page(ws)) == "FINISHED_SUCCESSFULLY"
    assert " 101 " in (team.prefix / "access.log").read_text()


def test_a_host_the_team_does_not_use_is_refused(team):
    ws = team.url.replace("http://", "ws://") + "/_stcore/stream"
    with pytest.raises(Exception, match="403|rejected"):
        _run(_run_page(ws, {"Host": "rebind.example"}))


def test_nginx_config_is_rendered_for_n_replicas(tmp_path):
    text = serve_team.render(tmp_path, "127.0.0.1:9999", ["127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1003"])
    assert text.count("server 127.0.0.1:") == 3 and "listen 127.0.0.1:9999;" in text
    assert not re.search(r"@[A-Z_]+@", text)


def test_a_replica_that_dies_is_routed_around_and_restarted(team):
    victim = team.replicas_procs()[0]
    port = team.replica_ports[0]
    victim.kill()
    victim.wait(timeout=10)
    for i in range(6):  # routes that hashed to the dead replica go to the other one (passive health check)
        status, _h, _b = get(team.url + "/", {"Cookie": f"ca_route=failover-{i}"})
        assert status == 200
    assert team.watch() == [port]
    deadline = time.time() + 120
    while not serve_team._healthy(f"http://127.0.0.1:{port}/_stcore/health"):
        assert time.time() < deadline, "the restarted replica did not come back"
        time.sleep(0.5)
    assert team.watch() == []
