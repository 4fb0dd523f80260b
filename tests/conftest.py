"""Shared fixtures: the real data package, and a scratch copy of it that a test may damage."""

import shutil
from pathlib import Path

import pytest

from dashboard.data import DATA_DIR, load

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _validation_cache(tmp_path_factory):
    """Each test session remembers validations in its own directory, never in the user's cache."""
    from dashboard import data

    data.CACHE_DIR = tmp_path_factory.mktemp("validation-cache")


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory):
    """synthetic(k) -> a folder holding the real package copied k times (benchmarks.synth), made once per session."""
    from benchmarks import synth

    made: dict[int, Path] = {}

    def _make(k: int) -> Path:
        if k not in made:
            made[k] = tmp_path_factory.mktemp(f"synth{k}")
            synth.generate(k, made[k])
        return made[k]

    return _make


@pytest.fixture
def use_data(monkeypatch):
    """use_data(folder): point the app at another copy of the package until the test ends."""
    from dashboard import data

    def _use(folder: Path) -> Path:
        monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
        monkeypatch.setattr(data, "DATA_DIR", folder)  # read at import time, so the env alone is too late
        return folder

    return _use


@pytest.fixture(scope="session")
def dataset():
    return load(DATA_DIR)


@pytest.fixture
def data_copy(tmp_path):
    """A copy of data/ to corrupt; the real files are never touched."""
    dest = tmp_path / "data"
    shutil.copytree(DATA_DIR, dest)
    return dest


APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def open_page():
    """Open a page in a real Streamlit AppTest: open_page("map", query={"city": "bishkek"}) -> AppTest."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    def _open(page: str, query: dict | None = None, state: dict | None = None, timeout: float = 90):
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(APP, default_timeout=timeout)
        for k, v in (query or {}).items():
            at.query_params[k] = v
        at.run()
        for k, v in (state or {}).items():
            at.session_state[k] = v
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open


@pytest.fixture(scope="session")
def team():
    """`make serve-team` for tests: Debian's nginx in front of two replicas, on free ports, torn down after."""
    from deploy import serve_team

    # its own temp dir, not pytest's: as root, nginx's workers run as nobody and cannot enter pytest's (mode 700)
    t = serve_team.Team(replicas=2, port=serve_team.free_port())
    with t:
        yield t
    shutil.rmtree(t.prefix, ignore_errors=True)
