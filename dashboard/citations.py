"""The sources as reference-manager files (BibTeX, RIS, CSL-JSON), built from the sources table with their libraries."""

from __future__ import annotations

import json
import re

import pandas as pd

from dashboard.data import Dataset

# kind (sources.csv) -> (BibTeX entry type, RIS TY, CSL type). Unknown kinds fall back to the generic document types.
TYPES = {
    "news": ("article", "NEWS", "article-newspaper"),
    "opinion": ("article", "NEWS", "article-newspaper"),
    "policy brief": ("techreport", "RPRT", "report"),
    "parliamentary report": ("techreport", "RPRT", "report"),
    "rule": ("misc", "GOVDOC", "regulation"),
    "law": ("misc", "STAT", "legislation"),
    "executive order": ("misc", "GOVDOC", "regulation"),
    "press statement": ("misc", "PRESS", "document"),
    "dataset": ("misc", "DATA", "dataset"),
    "reference dataset": ("misc", "DATA", "dataset"),
}
GENERIC = ("misc", "GEN", "document")
FILES = {"sources.bib": "application/x-bibtex", "sources.ris": "application/x-research-info-systems",
         "sources.json": "application/vnd.citationstyles.csl+json"}


def _text(v) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v).strip()


def access_note(r: dict) -> str:
    """Where the text was read and how it is dated or licensed, in words: kept with every entry."""
    where = (f"Read at {_text(r['url'])}." if _text(r["url"]) else
             f"Project seed document {_text(r['seed_file'])}; no address recorded." if _text(r["seed_file"]) else
             "No address recorded.")
    bits = [where, _text(r["date_note"]), f"Terms: {_text(r['licence'])}" if _text(r["licence"]) else "",
            _text(r["notes"])]
    return " ".join(b if b.endswith(".") else b + "." for b in bits if b)


def people(author: str) -> list[str]:
    return [a.strip() for a in _text(author).split(";") if a.strip()]


def is_person(name: str) -> bool:
    """'Richard Hoagland' is a person; 'Secretary of State' (a lower-case word) is an office, kept whole."""
    words = name.split()
    return len(words) >= 2 and all(w[:1].isupper() for w in words)


def entries(ds: Dataset) -> list[dict]:
    """One plain record per source, in table order: the single place the three formats read from."""
    out = []
    for r in ds["sources"].to_dict("records"):
        date = r["date_published"]
        out.append({
            "id": r["source_id"], "kind": _text(r["kind"]), "title": _text(r["title"]),
            "publisher": _text(r["publisher"]), "authors": people(r["author"]),
            "date": None if pd.isna(date) else pd.Timestamp(date), "url": _text(r["url"]),
            "note": access_note(r),
        })
    return out


def bibtex_key(source_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_:-]", "_", source_id)


def _bib_name(name: str) -> str:
    # BibTeX reads "Family, Given"; an office or body is braced so it is never split into given/family names.
    if is_person(name):
        given, family = name.rsplit(" ", 1)
        return f"{family}, {given}"
    return "{" + name + "}"


def bibtex(ds: Dataset) -> str:
    import bibtexparser
    from bibtexparser.middlewares import LatexEncodingMiddleware
    from bibtexparser.model import Entry, Field

    lib = bibtexparser.Library()
    for e in entries(ds):
        kind = TYPES.get(e["kind"], GENERIC)[0]
        fields = [Field("title", e["title"])]
        if e["authors"]:
            fields.append(Field("author", " and ".join(_bib_name(a) for a in e["authors"])))
        if e["publisher"]:
            where = {"article": "journal", "techreport": "institution"}.get(kind, "publisher")
            fields.append(Field(where, e["publisher"]))
        elif kind == "article":
            kind = "misc"  # an article needs a journal; the document does not name its publisher
        if e["date"] is not None:
            fields += [Field("year", str(e["date"].year)), Field("month", str(e["date"].month)),
                       Field("date", e["date"].strftime("%Y-%m-%d"))]
        if e["url"]:
            fields.append(Field("url", e["url"]))
        fields.append(Field("note", e["note"]))
        lib.add(Entry(kind, bibtex_key(e["id"]), fields))
    # the library escapes &, %, $, _ and non-ASCII for LaTeX; a URL is kept literal as BibTeX's url field expects
    encoded = LatexEncodingMiddleware(keep_math=True, enclose_urls=False).transform(lib)
    for entry, e in zip(encoded.entries, entries(ds), strict=True):
        if e["url"]:
            entry["url"] = e["url"]
    return bibtexparser.write_string(encoded)


def ris(ds: Dataset) -> str:
    import rispy

    refs = []
    for e in entries(ds):
        ref = {"type_of_reference": TYPES.get(e["kind"], GENERIC)[1], "id": e["id"], "title": e["title"]}
        if e["authors"]:
            ref["authors"] = [", ".join(reversed(a.rsplit(" ", 1))) if is_person(a) else a for a in e["authors"]]
        if e["publisher"]:
            ref["publisher"] = e["publisher"]
        if e["date"] is not None:
            ref["year"] = str(e["date"].year)
            ref["date"] = e["date"].strftime("%Y/%m/%d")
        if e["url"]:
            ref["urls"] = [e["url"]]
        ref["notes"] = [e["note"]]
        refs.append(ref)
    return rispy.dumps(refs)


def csl_json(ds: Dataset) -> str:
    """CSL-JSON (the Citation Style Language's data schema), as Zotero, Mendeley and Word's citation plug-ins read."""
    items = []
    for e in entries(ds):
        item = {"id": e["id"], "type": TYPES.get(e["kind"], GENERIC)[2], "title": e["title"]}
        if e["authors"]:
            item["author"] = [dict(zip(("given", "family"), a.rsplit(" ", 1), strict=True)) if is_person(a)
                              else {"literal": a} for a in e["authors"]]
        if e["publisher"]:
            item["publisher"] = e["publisher"]
            if item["type"] == "article-newspaper":
                item["container-title"] = e["publisher"]
        if e["date"] is not None:
            item["issued"] = {"date-parts": [[e["date"].year, e["date"].month, e["date"].day]]}
        if e["url"]:
            item["URL"] = e["url"]
        item["note"] = e["note"]
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def plain_citations(ds: Dataset) -> list[str]:
    """One readable reference per source (for a slide or a page): authors or publisher, title, date, address."""
    out = []
    for e in entries(ds):
        who = "; ".join(e["authors"]) or e["publisher"]
        bits = [who, f"“{e['title']}”"]
        if e["authors"] and e["publisher"]:
            bits.append(e["publisher"])
        bits.append(e["date"].strftime("%Y-%m-%d") if e["date"] is not None else "undated")
        text = ", ".join(b for b in bits if b) + "."
        out.append(text + (f" {e['url']}" if e["url"] else " No address recorded.") + f" [{e['id']}]")
    return out


def files(ds: Dataset) -> dict[str, str]:
    """File name -> text, for the pack and the Sources page."""
    return {"sources.bib": bibtex(ds), "sources.ris": ris(ds), "sources.json": csl_json(ds)}
