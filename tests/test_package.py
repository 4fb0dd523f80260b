"""The data package validates with frictionless, and its schema describes every field the way camtrap-dp does."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.data import DATA_DIR

DESCRIPTOR = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
TABULAR = [r for r in DESCRIPTOR["resources"] if r.get("profile") == "tabular-data-resource"]
FIELDS = [(r["name"], f) for r in TABULAR for f in r["schema"]["fields"]]


def test_frictionless_cli_validates_the_package():
    cli = Path(sys.executable).parent / "frictionless"
    out = subprocess.run([str(cli), "validate", "datapackage.json"], cwd=DATA_DIR, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "INVALID" not in out.stdout


@pytest.mark.parametrize("table,field", FIELDS, ids=[f"{t}.{f['name']}" for t, f in FIELDS])
def test_every_field_is_described_typed_and_exemplified(table, field):
    assert field.get("type") in {"string", "integer", "number", "date", "boolean"}
    assert len(field.get("description", "")) >= 10, "description too short to help a reader"
    assert "example" in field


@pytest.mark.parametrize("res", TABULAR, ids=[r["name"] for r in TABULAR])
def test_every_table_has_a_key_a_title_and_matching_csv_header(res):
    schema = res["schema"]
    assert schema.get("primaryKey")
    assert res.get("title") and res.get("description")
    header = (DATA_DIR / res["path"]).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == [f["name"] for f in schema["fields"]]


@pytest.mark.parametrize("res", TABULAR, ids=[r["name"] for r in TABULAR])
def test_every_claim_table_has_the_evidence_columns_required(res):
    fields = {f["name"]: f for f in res["schema"]["fields"]}
    if res["name"] in {"sources", "disagreements"}:
        return
    for name in ("source_id", "quote", "locator"):
        assert fields[name].get("constraints", {}).get("required") is True
    assert any(fk["fields"] == "source_id" for fk in res["schema"]["foreignKeys"])


def test_package_lists_sources_and_licences():
    assert DESCRIPTOR["licenses"]
    assert len(DESCRIPTOR["sources"]) >= 5
    bnd = next(r for r in DESCRIPTOR["resources"] if r["name"] == "boundaries")
    assert bnd["licenses"]


@pytest.mark.parametrize("table,fks", [
    ("statements", {"speaker_entity_id", "about_entity_id", "also_about_entity_id", "about_action_id",
                    "responds_to_statement_id", "source_id", "conflict_id"}),
    ("installations", {"vendor_id", "country_iso3", "source_id", "conflict_id"}),
    ("entities", {"country_iso3", "source_id", "parent_id", "conflict_id"}),
])
def test_new_links_are_foreign_keys(table, fks):
    res = next(r for r in TABULAR if r["name"] == table)
    assert {fk["fields"] for fk in res["schema"]["foreignKeys"]} == fks


def test_every_locator_field_states_the_counting_convention():
    locs = [f for _, f in FIELDS if f["name"] == "locator"]
    assert len(locs) == sum(1 for r in TABULAR if any(f["name"] == "locator" for f in r["schema"]["fields"])) >= 13
    for f in locs:
        d = f["description"]
        assert "counts body paragraphs from 1" in d and "Seed 002 counts paragraphs within their section" in d
        assert "never one before it" in d
