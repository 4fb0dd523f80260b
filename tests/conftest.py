"""Shared fixtures: the real data package, and a scratch copy of it that a test may damage."""

import shutil
from pathlib import Path

import pytest

from dashboard.data import DATA_DIR, load

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def dataset():
    return load(DATA_DIR)


@pytest.fixture
def data_copy(tmp_path):
    """A copy of data/ to corrupt; the real files are never touched."""
    dest = tmp_path / "data"
    shutil.copytree(DATA_DIR, dest)
    return dest
