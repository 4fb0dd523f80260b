"""Each kind of bad data gives one clear DataError naming the file, the row and the field, never a traceback."""

import csv
import io
import json
import time

import pytest

from dashboard import data
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


def _set_cell(path, row, field, value):
    """Put value in the cell of file row `row` (the header is row 1) and column `field`, writing proper CSV."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[row - 1][rows[0].index(field)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _cell(file, row, field, value, name):
    def damage(d):
        _set_cell(d / file, row, field, value)

    damage.__name__ = name
    return damage


def _descriptor(change, name):
    def damage(d):
        desc = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
        change(desc)
        (d / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")

    damage.__name__ = name
    return damage


def _fields(desc, table):
    return next(r for r in desc["resources"] if r["name"] == table)["schema"]["fields"]


# Text a spreadsheet would run as a formula, and invisible direction controls (issue 12, section 1).
FORMULAS = [("equals", '=HYPERLINK("http://evil.example","x")'), ("plus", "+1+cmd|' /C calc'!A0"),
            ("minus", "-2+3+cmd|' /C calc'!A0"), ("at", "@SUM(1+1)*cmd|' /C calc'!A0"), ("tab", "\t=1+1")]
BIDI = [("rlo", "Dushanbe\u202ecity", "U+202E"), ("lri", "Dushanbe\u2066city", "U+2066"),
        ("rlm", "Dushanbe\u200fcity", "U+200F")]
# Damage to the descriptor's shape, caught before frictionless or pandas see it (section 2).
DESCRIPTOR_DAMAGE = [
    (_descriptor(lambda d: d.update(resources={"a": 1}), "resources_an_object"), "resources", "must be a list"),
    (_descriptor(lambda d: d.update(resources=[]), "resources_empty"), "resources", "empty list"),
    (_descriptor(lambda d: d["resources"][5].pop("path"), "resource_without_path"), "resources[5].path",
     "has no path"),
    (_descriptor(lambda d: d["resources"][5].update(path="../deployments.csv"), "path_to_parent"),
     "resources[5].path", "leaves the data folder"),
    (_descriptor(lambda d: d["resources"][5].update(path="/etc/passwd"), "path_absolute"), "resources[5].path",
     "leaves the data folder"),
    (_descriptor(lambda d: d["resources"][5].update(path="http://evil.example/x.csv"), "path_url"),
     "resources[5].path", "leaves the data folder"),
    (_descriptor(lambda d: _fields(d, "deployments")[5].update(type="geopoint"), "unknown_field_type"),
     "resources[5].schema.fields[5].type", "has type 'geopoint'"),
    (_descriptor(lambda d: d.update(created=20261122), "created_not_a_string"), "created", "'created' must be"),
    (_descriptor(lambda d: d["resources"].pop(12), "needed_table_missing"), "resources", "'events'"),
    (_descriptor(lambda d: d["resources"][3].update(schema=[]), "schema_not_an_object"),
     "resources[3].schema.fields", "no schema fields"),
]

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
    *[(_cell("deployments.csv", 3, "description", text, f"formula_{name}"), "deployments.csv", 3, "description",
       "formula") for name, text in FORMULAS],
    *[(_cell("places.csv", 2, "name", text, f"bidi_{name}"), "places.csv", 2, "name", code)
      for name, text, code in BIDI],
    (_cell("deployments.csv", 2, "cost_usd", "99999999999999999999", "integer_beyond_int64"), "deployments.csv", 2,
     "cost_usd", "too large"),
    *[(_cell("indicators.csv", 2, "value", text, f"non_finite_{name}"), "indicators.csv", 2, "value", words)
      for name, text, words in [("1e309", "1e309", "not a finite number"), ("inf", "inf", "not a finite number"),
                                ("nan", "nan", "not a finite number"), ("NaN", "NaN", "not a finite number"),
                                ("minus_infinity", "-Infinity", "not a finite number")]],
    *[(damage, "datapackage.json", None, where, words) for damage, where, words in DESCRIPTOR_DAMAGE],
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


# --- the same damage through `python -m dashboard.export`: exit 2, the message, no traceback, nothing written ---


def _export(data_dir, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path / "pack"
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(data_dir), "DASHBOARD_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-m", "dashboard.export", "--out", str(out)], env=env, timeout=300,
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True)
    return proc, out


@pytest.mark.parametrize("damage,file,row,field,words", CASES, ids=[c[0].__name__ for c in CASES])
def test_export_exits_2_naming_the_file_and_problem(data_copy, tmp_path, damage, file, row, field, words):
    damage(data_copy)
    proc, out = _export(data_copy, tmp_path)
    assert proc.returncode == 2, proc.stderr[-1500:]
    assert "Traceback" not in proc.stderr
    assert f"error: the data could not be loaded: file {file}" in proc.stderr
    assert words.lower() in proc.stderr.lower()
    assert not out.exists()


def test_a_data_folder_renamed_while_running_gives_the_error_page_and_exit_2(data_copy, tmp_path, use_data):
    import streamlit
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    use_data(data_copy)
    streamlit.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.error
    data_copy.rename(data_copy.with_name("data-renamed"))
    time.sleep(data.RECHECK_S)  # the app looks at the folder once per RECHECK_S (data.fingerprint)
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "could not be loaded" in at.error[0].value
    assert "data folder is missing" in at.error[0].value and "data" in at.error[0].value
    proc, out = _export(data_copy, tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"file {data_copy}: the data folder is missing" in proc.stderr
    assert not out.exists()
