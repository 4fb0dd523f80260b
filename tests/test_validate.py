"""dashboard.validate agrees with frictionless on every kind of damage, names file, row and field, and is fast."""

from __future__ import annotations

import csv
import subprocess
import sys
import time

import frictionless
import pytest

from dashboard import data, validate
from dashboard.data import DESCRIPTOR, DataError
from tests.test_bad_data import CASES, _replace


def frictionless_error(d) -> DataError | None:
    """The standard's own verdict, as the app used to report it (data._validate: frictionless, first error)."""
    try:
        data._validate(d)
    except DataError as err:
        return err
    except frictionless.FrictionlessException as exc:  # a descriptor frictionless cannot even read
        return DataError(DESCRIPTOR, str(exc))
    return None


def ours(d) -> DataError | None:
    try:
        validate.check(d)
    except DataError as err:
        return err
    return None


def lines(d, name):
    return (d / name).read_text(encoding="utf-8").splitlines(keepends=True)


# More damage than the app's own cases: each schema rule the package uses, one at a time.
def enum_value(d):
    _replace(d / "deployments.csv", ",installed,", ",instaled,")


def pattern(d):
    _replace(d / "places.csv", ",KAZ,", ",kaz,")


def required_empty(d):
    _replace(d / "countries.csv", ",central_asia,", ",,")


def boolean(d):
    _replace(d / "sources.csv", ",true,", ",yes,")


def composite_key(d):
    rows = lines(d, "action_entities.csv")
    (d / "action_entities.csv").write_text("".join(rows + [rows[3]]), encoding="utf-8")


def self_reference(d):
    with open(d / "entities.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("parent_id")] = "no-such-parent"
    with open(d / "entities.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def renamed_column(d):
    _replace(d / "events.csv", "event_id,", "eventid,")


def negative(d):
    _replace(d / "deployments.csv", ",2013,", ",-2013,")


EXTRA = [enum_value, pattern, required_empty, boolean, composite_key, self_reference, renamed_column, negative]
DAMAGE = [c[0] for c in CASES] + EXTRA


@pytest.mark.parametrize("damage", DAMAGE, ids=[d.__name__ for d in DAMAGE])
def test_agrees_with_frictionless(data_copy, damage):
    damage(data_copy)
    theirs, mine = frictionless_error(data_copy), ours(data_copy)
    assert (theirs is None) == (mine is None), f"frictionless: {theirs}; ours: {mine}"
    if theirs is not None:
        assert (mine.file, mine.field) == (theirs.file, theirs.field), f"frictionless: {theirs}; ours: {mine}"
        if theirs.row is not None:
            assert mine.row == theirs.row
        assert str(mine).startswith(f"file {mine.file}")


def test_the_real_package_is_valid(dataset):
    assert validate.problems(data.DATA_DIR) == []


def test_every_problem_is_listed_with_how_many_rows(data_copy):
    text = (data_copy / "deployments.csv").read_text(encoding="utf-8")
    (data_copy / "deployments.csv").write_text(text.replace(",installed,", ",instaled,"), encoding="utf-8")
    _replace(data_copy / "debt.csv", ",40,about,", ",140,about,")
    found = validate.problems(data_copy)
    assert [p.file for p in found] == ["deployments.csv", "debt.csv"]  # descriptor order
    assert found[0].count == text.count(",installed,") > 1
    assert f"(and {found[0].count - 1} more rows)" in str(found[0].error())


def test_cli_reports_tables_and_geojson_and_fails(data_copy):
    ok = subprocess.run([sys.executable, "-m", "dashboard.validate", str(data.DATA_DIR)], capture_output=True,
                        text=True, timeout=120)
    assert ok.returncode == 0 and "valid" in ok.stdout
    _replace(data_copy / "debt.csv", ",40,about,", ",140,about,")
    (data_copy / "boundaries.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    bad = subprocess.run([sys.executable, "-m", "dashboard.validate", str(data_copy)], capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 1
    out = bad.stdout.splitlines()
    assert out[0].startswith("file debt.csv, row 2, field 'share_pct': the value breaks a rule of the schema")
    assert out[1] == "file boundaries.geojson: the FeatureCollection has no features"
    assert "Traceback" not in bad.stderr


def test_faster_than_frictionless_on_synthetic_data(synthetic):
    folder = synthetic(20)
    t = time.perf_counter()
    assert validate.problems(folder) == []
    mine = time.perf_counter() - t
    t = time.perf_counter()
    assert frictionless.Package(str(folder / DESCRIPTOR)).validate().valid
    theirs = time.perf_counter() - t
    assert mine * 4 < theirs, f"ours {mine:.2f} s, frictionless {theirs:.2f} s"  # 8x+ at 1000x: benchmarks.run
