"""Each kind of bad data gives one clear DataError naming the file, the row and the field, never a traceback."""

import json

import pytest

from dashboard.data import DataError, load


def _replace(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def missing_column(d):
    lines = (d / "debt.csv").read_text(encoding="utf-8").splitlines()
    # drop the last column (caveat) from header and rows
    (d / "debt.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8")


def extra_column(d):
    lines = (d / "places.csv").read_text(encoding="utf-8").splitlines()
    (d / "places.csv").write_text("\n".join([lines[0] + ",population"] + [x + ",1" for x in lines[1:]]) + "\n")


def wrong_type(d):
    _replace(d / "deployments.csv", ",2013,", ",twenty-thirteen,")


def bad_date(d):
    _replace(d / "action_dates.csv", "2019-10-09", "2019-10-32")


def dangling_reference(d):
    _replace(d / "deployments.csv", ",hikvision,", ",hikvisionn,")


def duplicate_key(d):
    lines = (d / "events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (d / "events.csv").write_text("".join(lines + [lines[1]]), encoding="utf-8")


def out_of_range(d):
    _replace(d / "debt.csv", ",40,about,", ",140,about,")


def not_utf8(d):
    (d / "countries.csv").write_bytes((d / "countries.csv").read_bytes().replace(b"Kazakhstan", b"Kaz\xe1khstan", 1))


def empty_geojson(d):
    (d / "boundaries.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": []}))


def broken_geojson(d):
    text = (d / "boundaries.geojson").read_text()
    (d / "boundaries.geojson").write_text(text[: len(text) // 2])


def geojson_without_key(d):
    gj = json.loads((d / "boundaries.geojson").read_text())
    del gj["features"][2]["properties"]["iso3"]
    (d / "boundaries.geojson").write_text(json.dumps(gj))


def missing_file(d):
    (d / "indicators.csv").unlink()


def broken_descriptor(d):
    (d / "datapackage.json").write_text("{ not json")


CASES = [
    # (damage, file, row, field, words in the message)
    (missing_column, "debt.csv", None, "caveat", "missing"),
    (extra_column, "places.csv", None, "population", "does not describe"),
    (wrong_type, "deployments.csv", 13, "year", "twenty-thirteen"),
    (bad_date, "action_dates.csv", 6, "date", "2019-10-32"),
    (dangling_reference, "deployments.csv", 2, "vendor_id", "dangling reference"),
    (duplicate_key, "events.csv", 14, "event_id", "duplicate"),
    (out_of_range, "debt.csv", 2, "share_pct", "140"),
    (not_utf8, "countries.csv", 2, None, "UTF-8"),
    (empty_geojson, "boundaries.geojson", None, None, "no features"),
    (broken_geojson, "boundaries.geojson", None, None, "not valid JSON"),
    (geojson_without_key, "boundaries.geojson", 3, "properties.iso3", "iso3"),
    (missing_file, "indicators.csv", None, None, "missing"),
    (broken_descriptor, "datapackage.json", None, None, "not valid JSON"),
]


@pytest.mark.parametrize("damage,file,row,field,words", CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_data_gives_one_clear_error(data_copy, damage, file, row, field, words):
    damage(data_copy)
    with pytest.raises(DataError) as info:
        load(data_copy)
    err = info.value
    assert err.file == file
    assert err.row == row
    assert err.field == field
    assert words.lower() in str(err).lower()
    assert str(err).startswith(f"file {file}")
