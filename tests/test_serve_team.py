"""`make serve-team` for real: Debian's nginx in front of two Streamlit replicas, started by the test on free ports."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import io
import re
import time
import urllib.request
from pathlib import Path

import brotli
import pytest

from deploy import precompress, serve_team

pytestmark = pytest.mark.skipif(not Path(serve_team.NGINX).exists(),
                                reason="no nginx: `make setup` (as root) or `apt-get install nginx` installs it")


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()


def main_bundle(team) -> str:
    _s, _h, html = get(team.url + "/")
    return "/" + re.search(rb'src="\./(static/js/index\.[^"]+\.js)"', html).group(1).decode()


def upstreams(team, route: str, requests: int = 0) -> set[str]:
    """The upstreams of the requests logged with this route (waiting for `requests` of them: nginx logs a request
    after answering it)."""
    deadline = time.time() + 5
    while True:
        found = re.findall(rf"route={re.escape(route)} upstream=(\S+)", (team.prefix / "access.log").read_text())
        if len(found) >= requests or time.time() > deadline:
            return set(found)
        time.sleep(0.05)


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_javascript_is_sent_precompressed_and_cached_for_a_year(team, encoding):
    js = main_bundle(team)
    original = (precompress.streamlit_static() / js.removeprefix("/static/")).read_bytes()
    packed = (team.prefix / "www" / f"{js.lstrip('/')}.{'gz' if encoding == 'gzip' else 'br'}").read_bytes()
    status, h, body = get(team.url + js, {"Accept-Encoding": encoding})
    assert status == 200
    assert h.get("content-encoding") == encoding
    assert body == packed and int(h["content-length"]) == len(packed)  # the file made once, sent as it is
    assert (gzip.decompress(body) if encoding == "gzip" else brotli.decompress(body)) == original
    assert len(body) < len(original) / 3, f"{encoding}: {len(body)} of {len(original)} bytes"
    assert h["cache-control"] == "public, max-age=31536000, immutable"
    assert "default-src 'self'" in h["content-security-policy"] and h["x-content-type-options"] == "nosniff"
    assert "accept-encoding" in h["vary"].lower()


def test_a_client_that_asks_for_no_compression_gets_the_plain_bytes(team):
    js = main_bundle(team)
    _s, h, body = get(team.url + js, {"Accept-Encoding": "identity"})
    assert "content-encoding" not in h
    assert body == (precompress.streamlit_static() / js.removeprefix("/static/")).read_bytes()
    assert h["cache-control"] == "public, max-age=31536000, immutable"


def test_brotli_11_beats_the_filters_level_5(team):
    """The point of the precompressed copy: smaller than what nginx's brotli filter makes of the same file."""
    js = main_bundle(team)
    original = (precompress.streamlit_static() / js.removeprefix("/static/")).read_bytes()
    _s, _h, body = get(team.url + js, {"Accept-Encoding": "br"})
    assert len(body) < 0.95 * len(brotli.compress(original, quality=5))


def test_the_replicas_never_see_a_static_request(team):
    paths = [main_bundle(team), "/static/css/" + next((team.prefix / "www/static/css").glob("index.*.css")).name,
             "/static/media/" + next((team.prefix / "www/static/media").glob("SourceSansVF-Upright*.woff2")).name,
             "/app/static/topojson/world_110m.json"]
    marker = f"no-replica-{time.time_ns()}"
    for p in paths:
        for enc in ("br", "gzip", "identity"):
            assert get(team.url + p, {"Accept-Encoding": enc, "Cookie": f"ca_route={marker}"})[0] == 200
    assert upstreams(team, marker, requests=3 * len(paths)) == {"-"}


def test_a_file_missing_from_the_copy_comes_from_a_replica(team):
    js = main_bundle(team)
    copy = team.prefix / "www" / js.lstrip("/")
    aside = [(f, f.with_name(f.name + ".aside")) for f in (copy, copy.with_name(copy.name + ".br"),
                                                         copy.with_name(copy.name + ".gz"))]
    for f, a in aside:
        f.rename(a)
    try:
        status, h, body = get(team.url + js + "?missing", {"Cookie": "ca_route=missing-copy"})
    finally:
        for f, a in aside:
            a.rename(f)
    assert status == 200 and body == (precompress.streamlit_static() / js.removeprefix("/static/")).read_bytes()
    assert h["cache-control"] == "public, max-age=31536000, immutable"
    assert upstreams(team, "missing-copy", requests=1) <= {f"127.0.0.1:{p}" for p in team.replica_ports}
    assert upstreams(team, "missing-copy")


def test_the_icon_font_is_cut_to_the_icons_in_use_and_keeps_each_of_them(team):
    from fontTools.ttLib import TTFont

    font = next((team.prefix / "www/static/media").glob(precompress.ICON_FONT)).name
    original = (precompress.streamlit_static() / "media" / font).read_bytes()
    _s, h, body = get(team.url + "/static/media/" + font)
    assert h["content-type"] == "font/woff2" and len(body) < len(original) / 4
    served = precompress.icon_glyphs(TTFont(io.BytesIO(body)))
    everything = precompress.icon_glyphs(TTFont(io.BytesIO(original)))
    named = {m for p in precompress.streamlit_static().glob("js/*.js") for m in precompress.ICON.findall(p.read_text())}
    assert len(named) > 50
    # every icon Streamlit names that the original font has (more_vert: the data grid's, a bare word), and the app's
    assert (named | {"more_vert"}) & set(everything) - set(served) == set()
    assert precompress.app_icons() - set(served) == set()
    assert len(served) < len(everything) / 4


def test_text_fonts_are_split_latin_first_and_the_rest_on_demand(team):
    from fontTools.ttLib import TTFont

    css_name = next((team.prefix / "www/static/css").glob("index.*.css")).name
    _s, _h, css = get(team.url + "/static/css/" + css_name)
    faces = re.findall(r"@font-face\{font-family:Source Sans;[^}]*font-style:normal;src:url\(\.\./media/([^)]+)\)"
                       r'format\("woff2"\);unicode-range:([^}]+)\}', css.decode())
    assert [f for f, _r in faces] == ["SourceSansVF-Upright.ttf.BsWL4Kly.full.woff2",
                                      "SourceSansVF-Upright.ttf.BsWL4Kly.woff2"], faces
    original = (precompress.streamlit_static() / "media/SourceSansVF-Upright.ttf.BsWL4Kly.woff2").read_bytes()
    _s, _h, full = get(team.url + "/static/media/" + faces[0][0])
    _s, _h, first = get(team.url + "/static/media/" + faces[1][0])  # the file Streamlit's page preloads
    assert full == original and len(first) < len(original) / 2
    has = set(TTFont(io.BytesIO(original)).getBestCmap())
    kept = set(TTFont(io.BytesIO(first)).getBestCmap())
    wanted = (precompress.codepoints(precompress.LATIN) | precompress.app_chars()) & has
    assert {ord("é"), ord("—")} <= wanted
    assert kept == wanted and precompress.codepoints(faces[1][1]) >= wanted
    # the second face names exactly what the first lacks: no character falls between, none fetches both
    assert precompress.codepoints(faces[0][1]) == has - precompress.codepoints(faces[1][1])


def test_an_icon_only_the_app_names_is_kept(tmp_path):
    from fontTools.ttLib import TTFont

    src = next(precompress.streamlit_static().glob("media/" + precompress.ICON_FONT))
    kept = precompress.subset_icon_font(src, tmp_path / "x.woff2", precompress.streamlit_static(), {"rocket_launch"})
    assert "rocket_launch" in kept  # no word of Streamlit's scripts names it
    assert "rocket_launch" in precompress.icon_glyphs(TTFont(tmp_path / "x.woff2"))
    kept = precompress.subset_icon_font(src, tmp_path / "y.woff2", precompress.streamlit_static(), set())
    assert "rocket_launch" not in kept and "keyboard_double_arrow_left" in kept


def test_an_icon_the_font_lacks_is_a_plain_message(tmp_path):
    src = next(precompress.streamlit_static().glob("media/" + precompress.ICON_FONT))
    with pytest.raises(ValueError, match="has no icon named no_such_icon"):
        precompress.subset_icon_font(src, tmp_path / "x.woff2", precompress.streamlit_static(), {"no_such_icon"})
    assert not (tmp_path / "x.woff2").exists()


def test_a_file_nginx_cannot_read_comes_from_a_replica(team):
    js = main_bundle(team)
    copy = team.prefix / "www" / js.lstrip("/")
    files = [copy, copy.with_name(copy.name + ".br"), copy.with_name(copy.name + ".gz")]
    for f in files:
        f.chmod(0)
    try:
        answers = [get(team.url + js + "?unreadable", {"Accept-Encoding": enc, "Cookie": "ca_route=unreadable"})
                   for enc in ("identity", "br")]
    finally:
        for f in files:
            f.chmod(0o644)
    original = (precompress.streamlit_static() / js.removeprefix("/static/")).read_bytes()
    (s1, h1, plain), (s2, h2, packed) = answers
    assert (s1, s2) == (200, 200) and plain == original
    assert h2.get("content-encoding") == "br" and brotli.decompress(packed) == original  # the filter's, on the fly
    assert upstreams(team, "unreadable", requests=2) - {"-"}  # at least the first went to a replica (then cached)
    assert "Permission denied" in (team.prefix / "error.log").read_text()  # and the operator is told


def test_without_a_precompressed_copy_the_team_still_starts_and_says_why(tmp_path, monkeypatch, capsys):
    def broken(**_kw):
        raise OSError("No space left on device")

    monkeypatch.setattr(precompress, "cached", broken)
    t = serve_team.Team(replicas=1, port=serve_team.free_port(), prefix=tmp_path)
    t._static()
    err = capsys.readouterr().err
    assert "static files go through the replicas" in err and "No space left on device" in err
    assert "Traceback" not in err and not (tmp_path / "www").exists() and not (tmp_path / "www.part").exists()


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_the_topojson_is_compressed(team, encoding):
    _s, h, body = get(team.url + "/app/static/topojson/world_50m.json", {"Accept-Encoding": encoding})
    assert h.get("content-encoding") == encoding
    assert len(body) < (250_000 if encoding == "gzip" else 200_000)  # Streamlit's own gzip sends 260 KB
    assert h["cache-control"] == "no-cache"  # not hashed: revalidated


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
