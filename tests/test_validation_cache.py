"""A validation pass is remembered by content: unchanged bytes skip frictionless, any changed byte validates again."""

import pytest

from dashboard import data, validate


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache")
    calls = []
    real = validate.check

    def counting(data_dir, *args):
        calls.append(data_dir)
        return real(data_dir, *args)

    monkeypatch.setattr(validate, "check", counting)
    return calls


def test_second_load_of_the_same_bytes_skips_frictionless(data_copy, cache):
    first = data.load(data_copy)
    second = data.load(data_copy)
    assert len(cache) == 1
    for name, df in first.tables.items():
        assert df.equals(second.tables[name])


def test_a_changed_byte_validates_again_and_still_fails(data_copy, cache):
    data.load(data_copy)
    path = data_copy / "debt.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",40,about,", ",140,about,", 1), encoding="utf-8")
    with pytest.raises(data.DataError, match="debt.csv"):
        data.load(data_copy)
    assert len(cache) == 2
    with pytest.raises(data.DataError, match="debt.csv"):  # a failure is never remembered as a pass
        data.load(data_copy)
    assert len(cache) == 3


def test_a_changed_descriptor_validates_again(data_copy, cache):
    data.load(data_copy)
    desc = data_copy / data.DESCRIPTOR
    desc.write_text(desc.read_text(encoding="utf-8").replace('"version"', '"version"', 1) + "\n", encoding="utf-8")
    data.load(data_copy)
    assert len(cache) == 2


def test_an_unwritable_cache_only_means_validating_every_time(data_copy, cache, monkeypatch):
    blocker = data_copy.parent / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setattr(data, "CACHE_DIR", blocker)
    data.load(data_copy)
    data.load(data_copy)
    assert len(cache) == 2

