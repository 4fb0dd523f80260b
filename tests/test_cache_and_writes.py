"""What is cached and written can be trusted: validation cache entries, reload on content, whole-or-nothing packs."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import frictionless
import pytest

from dashboard import data, export, validate
from tests.conftest import APP, ROOT
from tests.test_bad_data import out_of_range

CHROMIUM = Path("/usr/bin/chromium")

# --- the validation cache ---------------------------------------------------------------------------------------


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    return tmp_path / "cache" / "validated"


def _marker(folder: Path) -> Path:
    return data.CACHE_DIR / "validated" / f"{data.snapshot(folder).digest}-frictionless-{frictionless.__version__}"


FORGERIES = {
    "empty_file": lambda digest: "",
    "truncated": lambda digest: '{"sha256": "' + digest[:10],
    "not_an_object": lambda digest: "[1, 2]",
    "other_digest": lambda digest: json.dumps({"sha256": "0" * 64, "frictionless": frictionless.__version__,
                                                "valid": True}),
    "other_frictionless": lambda digest: json.dumps({"sha256": digest, "frictionless": "0.0.1", "valid": True}),
    "not_marked_valid": lambda digest: json.dumps({"sha256": digest, "frictionless": frictionless.__version__}),
    "binary": lambda digest: "\udcff",
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forged_or_corrupt_cache_entry_never_lets_invalid_data_load(data_copy, cache, forgery):
    out_of_range(data_copy)  # only frictionless catches this one (share_pct 140 > maximum 100)
    marker = _marker(data_copy)
    marker.parent.mkdir(parents=True)
    text = FORGERIES[forgery](data.snapshot(data_copy).digest)
    marker.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(data.DataError, match="debt.csv"):
        data.load(data_copy)


def test_a_genuine_entry_names_the_digest_of_the_bytes_validated(data_copy, cache):
    data.load(data_copy)
    entry = json.loads(_marker(data_copy).read_text())
    assert entry["sha256"] == data.snapshot(data_copy).digest and entry["valid"] is True


def test_a_file_swapped_during_validation_changes_nothing(data_copy, cache, monkeypatch, tmp_path):
    """Invalid bytes are read; a valid file is put back while frictionless runs: the invalid bytes are judged."""
    good = (data_copy / "debt.csv").read_bytes()
    out_of_range(data_copy)
    real = validate.check

    def swap_then_validate(folder, *args):
        (data_copy / "debt.csv").write_bytes(good)
        return real(folder, *args)

    monkeypatch.setattr(validate, "check", swap_then_validate)
    with pytest.raises(data.DataError, match="debt.csv"):
        data.load(data_copy)
    assert not list(cache.glob("*")) if cache.exists() else True  # nothing recorded as valid


def test_cache_entries_are_written_whole_or_not_at_all(data_copy, cache, monkeypatch):
    def fail(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(data.os, "replace", fail)
    data.load(data_copy)  # a cache that cannot be written only means validating next time
    assert not _marker(data_copy).exists()
    assert not [p for p in cache.iterdir()], "no half-written entry or temporary file is left"


# --- reload on content ------------------------------------------------------------------------------------------


def _edit_keeping_size_and_mtime(path: Path, old: bytes, new: bytes) -> None:
    assert len(old) == len(new)
    st = path.stat()
    raw = path.read_bytes()
    assert old in raw
    path.write_bytes(raw.replace(old, new, 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `cp -p`, `rsync -t` or `tar x` leave it
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)


@pytest.mark.parametrize("change", ["same_size_same_mtime_edit", "touch_only"])
def test_the_running_app_reloads_on_content_and_says_so(data_copy, use_data, change):
    import streamlit
    from streamlit.testing.v1 import AppTest

    from dashboard import loaders

    use_data(data_copy)
    streamlit.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.info
    before = loaders.dataset()
    path = data_copy / "deployments.csv"
    if change == "touch_only":
        os.utime(path)
    else:
        _edit_keeping_size_and_mtime(path, b"camera network,Huawei cameras overlooking the capital.,2000,",
                                     b"camera network,Huawei cameras overlooking the capital.,3000,")
    time.sleep(data.RECHECK_S)  # the app looks at the folder once per RECHECK_S (data.fingerprint)
    at.run()
    assert not at.exception
    after = loaders.dataset()
    notices = [i.value for i in at.info if "Data updated at" in i.value]
    if change == "touch_only":
        assert after is before and not notices  # no byte changed: no reload, no notice
    else:
        assert after.digest != before.digest
        assert 3000 in after["deployments"]["cameras_installed"].dropna().tolist()
        assert len(notices) == 1 and "UTC" in notices[0]


def test_the_folder_is_looked_at_once_per_interval_not_on_every_run(data_copy, monkeypatch):
    """Listing and stat-ing the folder on every run cost a fifth of a page view under load: at most once per
    RECHECK_S, and a change is still seen after it."""
    scans = []
    real = Path.rglob
    monkeypatch.setattr(Path, "rglob", lambda self, pat: scans.append(self) or real(self, pat))
    first = data.fingerprint(data_copy, max_age=0)
    for _ in range(50):
        assert data.fingerprint(data_copy) == first
    assert len(scans) == 1
    _edit_keeping_size_and_mtime(data_copy / "deployments.csv",
                                 b"camera network,Huawei cameras overlooking the capital.,2000,",
                                 b"camera network,Huawei cameras overlooking the capital.,3000,")
    assert data.fingerprint(data_copy) == first  # within the interval: not looked at yet
    time.sleep(data.RECHECK_S)
    assert data.fingerprint(data_copy) != first and len(scans) == 2


def test_a_clear_cache_message_does_not_reload_the_shared_dataset(data_copy, use_data, monkeypatch):
    """Streamlit's ClearCache back message empties every st.cache_* for all users; the dataset is not among them."""
    from streamlit.runtime.app_session import AppSession
    from streamlit.testing.v1 import AppTest

    use_data(data_copy)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    calls = []
    real = data.load
    monkeypatch.setattr(data, "load", lambda *a, **k: calls.append(a) or real(*a, **k))

    class _Session:  # what _handle_clear_cache_request touches besides the global caches
        _session_state = {}

    AppSession._handle_clear_cache_request(_Session())  # exactly what a client's clear-cache message runs
    at.run()
    assert not at.exception and not at.error
    assert calls == [], "a clear-cache message made the dataset load again"


# --- the briefing pack: whole or nothing --------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="image export needs Chromium")


def _run_export(out: Path, *extra, env_extra=None, **kw):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-m", "dashboard.export", "--out", str(out), *extra], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _partials(parent: Path) -> list[Path]:
    return [p for p in parent.iterdir() if ".partial-" in p.name]


@needs_chromium
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_an_export_killed_midway_leaves_no_pack(tmp_path, sig):
    out = tmp_path / "pack"
    proc = _run_export(out)
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until charts are being written
        parts = _partials(tmp_path)
        if parts and list((parts[0] / "charts").glob("*")):
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the export never started writing")
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert not out.exists(), "a half pack was left at --out"
    if sig == signal.SIGTERM:
        assert proc.returncode == 143 and "interrupted" in err and "Traceback" not in err
        assert not _partials(tmp_path), "the temporary folder was not removed"


@pytest.fixture
def full_disk(tmp_path):
    """A 1 MB tmpfs (the pack needs several); None where this machine cannot mount one (then ENOSPC is mocked)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True).returncode
    yield mnt if ok == 0 else None
    if ok == 0:
        subprocess.run(["umount", str(mnt)], check=False)


@needs_chromium
def test_an_export_into_a_full_disk_gives_a_plain_message_and_exit_4(full_disk, tmp_path, monkeypatch, capsys):
    if full_disk is not None:
        out = full_disk / "pack"
        proc = _run_export(out)
        _, err = proc.communicate(timeout=300)
        code = proc.returncode
        assert not list(full_disk.iterdir()), "something was left on the full disk"
    else:  # no tmpfs here: the first chart write fails as a full disk does
        out = tmp_path / "pack"

        def no_space(*a, **k):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr("plotly.graph_objects.Figure.write_image", no_space)
        code = export.main(["--out", str(out)])
        err = capsys.readouterr().err
        assert not _partials(tmp_path)
    assert code == 4
    assert "The disk is full" in err and "Traceback" not in err
    assert not out.exists()


@needs_chromium
def test_re_exporting_replaces_an_earlier_pack_whole_and_keeps_foreign_files(tmp_path):
    out = tmp_path / "pack"
    assert _run_export(out).wait(timeout=300) == 0
    assert (out / "charts" / "01-central-asia-map.svg").exists()
    assert _run_export(out, "--formats", "png").wait(timeout=300) == 0
    assert not list(out.glob("charts/*.svg")), "files of the earlier pack were mixed into the new one"
    assert {p.name for p in tmp_path.iterdir()} == {"pack"}, "the old pack or a temporary folder was left behind"
    listed = {line.split("  ", 1)[1] for line in (out / export.MANIFEST).read_text().splitlines()}
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert present == listed | {export.MANIFEST}
    mine = out / "notes.txt"
    mine.write_text("mine")
    proc = _run_export(out, "--formats", "png")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 4 and "notes.txt" in err and "Traceback" not in err
    assert mine.read_text() == "mine" and (out / "charts" / "01-central-asia-map.png").exists()
