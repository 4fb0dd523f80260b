"""Citations: CITATION.cff against the CFF 1.2.0 schema, and BibTeX, RIS and CSL-JSON parsed back and compared with
sources.csv."""

import json
from pathlib import Path

import bibtexparser
import jsonschema
import pandas as pd
import pytest
import rispy
import yaml
from bibtexparser.middlewares import LatexDecodingMiddleware

from dashboard import citations
from dashboard.data import DATA_DIR

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def sources():
    return pd.read_csv(DATA_DIR / "sources.csv", dtype=str, keep_default_na=False).to_dict("records")


def test_citation_cff_is_valid_and_matches_the_package():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads((HERE / "data" / "cff-1.2.0.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(cff, schema)  # the schema cffconvert 2.0.0 ships for CFF 1.2.0
    desc = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    assert cff["type"] == "dataset"
    assert cff["title"] == desc["title"]
    assert cff["abstract"] == desc["description"]
    assert cff["version"] == desc["version"]
    assert str(cff["date-released"]) == desc["created"][:10]
    assert cff["license"] == desc["licenses"][0]["name"]


def test_schema_rejects_a_broken_cff():
    schema = json.loads((HERE / "data" / "cff-1.2.0.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"cff-version": "1.2.0", "title": "x", "message": "m"}, schema)  # no authors


def test_bibtex_parses_back_to_every_source(dataset, sources):
    lib = bibtexparser.parse_string(citations.bibtex(dataset), append_middleware=[LatexDecodingMiddleware()])
    assert not lib.failed_blocks
    assert [e.key for e in lib.entries] == [s["source_id"] for s in sources]
    for e, s in zip(lib.entries, sources, strict=True):
        assert e["title"] == s["title"]
        assert (e["url"] if "url" in e.fields_dict else "") == s["url"]
        if s["date_published"]:
            assert e["date"] == s["date_published"]
        if s["author"]:
            assert len(e["author"].split(" and ")) == len(s["author"].split(";"))
        # the access note: where it was read and its terms
        assert s["licence"] in " ".join(e["note"].split())
        assert (s["url"] or s["seed_file"] or "No address recorded") in e["note"]


def test_bibtex_escapes_latex_specials(dataset):
    text = citations.bibtex(dataset)
    assert "William \\& Mary" in text  # a raw & would break LaTeX
    assert "000\\_c16690da800ab442" in text


def test_ris_parses_back_to_every_source(dataset, sources):
    refs = rispy.loads(citations.ris(dataset))
    assert [r["id"] for r in refs] == [s["source_id"] for s in sources]
    for r, s in zip(refs, sources, strict=True):
        assert r["title"] == s["title"]
        assert r.get("urls", []) == ([s["url"]] if s["url"] else [])
        assert r.get("publisher", "") == s["publisher"]
        assert r.get("date", "") == s["date_published"].replace("-", "/")
        assert s["licence"] in r["notes"][0]
        assert r["type_of_reference"] == citations.TYPES[s["kind"]][1]


CSL_TYPES = {"article-newspaper", "report", "regulation", "legislation", "document", "dataset"}


def test_csl_json_parses_back_to_every_source(dataset, sources):
    items = json.loads(citations.csl_json(dataset))
    assert [i["id"] for i in items] == [s["source_id"] for s in sources]
    for i, s in zip(items, sources, strict=True):
        assert set(i) <= {"id", "type", "title", "author", "publisher", "container-title", "issued", "URL", "note"}
        assert i["type"] in CSL_TYPES
        assert i["title"] == s["title"]
        assert i.get("URL", "") == s["url"]
        parts = i.get("issued", {}).get("date-parts", [[]])[0]
        assert parts == ([int(x) for x in s["date_published"].split("-")] if s["date_published"] else [])
        names = [a.get("literal") or f"{a['given']} {a['family']}" for a in i.get("author", [])]
        assert names == [a.strip() for a in s["author"].split(";") if a.strip()]
        assert s["licence"] in i["note"]


def test_an_office_stays_one_name_and_people_split(dataset):
    items = {i["id"]: i for i in json.loads(citations.csl_json(dataset))}
    assert items["rec-state-2019-10-08"]["author"] == [{"literal": "Secretary of State"}]
    assert items["seed-002"]["author"][2] == {"given": "Akbota", "family": "Karibayeva"}


def test_pack_holds_the_citations(tmp_path, dataset):
    from dashboard import export

    files = export.write_citations(tmp_path, dataset)
    assert sorted(f.name for f in files) == ["CITATION.cff", "sources.bib", "sources.json", "sources.ris"]
    assert (tmp_path / "citations" / "sources.ris").read_text(encoding="utf-8") == citations.ris(dataset)


def test_sources_page_offers_three_citation_formats(open_page):
    at = open_page("sources")
    buttons = {d.proto.label: d for d in at.get("download_button")}
    for label in ("BibTeX (sources.bib)", "RIS (sources.ris)", "CSL-JSON (sources.json)"):
        assert label in buttons
