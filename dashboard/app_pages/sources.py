"""Sources and method page: every document and what cites it, the known disagreements side by side, the data."""

from __future__ import annotations

from functools import partial

import pyarrow as pa
import streamlit as st

from dashboard import citations, loaders, query, ui
from dashboard.safe import md
from dashboard.transforms import sources
from dashboard.views import sources as views

ALL = ""


def _sync_source(known) -> None:
    """Follow a link to this page that carries a new ?source= even when the select box already has a value."""
    raw = st.query_params.get("source")
    if raw in known and raw != st.session_state.get("_sources_url") and "q_source" in st.session_state:
        st.session_state["q_source"] = raw
        st.query_params["source"] = raw  # a same-page link leaves the address bar without it; write it back


def _documents(ds) -> dict:
    """Built once per dataset: the citation counts and where each document is in them, the select box's options
    and labels, and the documents table."""
    counts = sources.citation_counts(ds)
    ids = counts["source_id"].tolist()
    labels = {ALL: "All documents"} | {sid: f"{sid}: {sources.short_title(title)}"
                                       for sid, title in zip(ids, counts["title"], strict=True)}
    return {"counts": counts, "at": {sid: i for i, sid in enumerate(ids)}, "ids": ids, "options": [ALL, *ids],
            "labels": labels, "table": pa.Table.from_pandas(views.documents(ds).table, preserve_index=False)}


def render() -> None:
    ds = loaders.dataset()
    ui.header("Sources and method",
              "Every document the data cites, every record that cites it with its quote, the points where sources "
              "disagree, how the data was made, and the tables to download.")
    docs = loaders.derive(ds, _documents)
    _sync_source(docs["at"])

    st.header("1. The documents")
    focus = query.bound("source", st.selectbox, docs["options"], ALL, "Focus one document",
                        fmt=docs["labels"].__getitem__)
    _documents_table(docs["table"])
    st.session_state["_sources_url"] = st.query_params.get("source")
    # Text from here to the download buttons goes out as one element (headings, cards and all), split only where a
    # widget (a pager, a notice) must stand between two parts: each element is a message per run.
    parts: list[str] = []
    _documents_list(ds, ui.paged([focus] if focus else docs["ids"], "documents", noun="documents", url_key="page"),
                    parts)
    parts.append("## 2. Where the sources disagree")
    _disagreements(ds, focus, parts)
    parts += ["## 3. Method and caveats", _method(ds)]
    parts += ["## 4. Download the data",
              _small("Each table exactly as the data package holds it (UTF-8 CSV, empty cell = not given), and the "
                     "descriptor that defines every field.")]
    _flush(parts)
    _downloads(ds)
    _citation_downloads(ds)


def _flush(parts: list[str]) -> None:
    """Draw the parts gathered so far as one element, before a widget that must follow them."""
    if parts:
        ui.blocks(parts)
        parts.clear()


def _documents_table(shown: pa.Table) -> None:
    # An Arrow table built once per dataset: a rerun only serialises it (thousands of documents at scale).
    st.dataframe(shown, hide_index=True, width="stretch", height=min(38 + 35 * shown.num_rows, 290),
                 column_config={"Title": st.column_config.TextColumn(width="medium"),
                                "Records": st.column_config.NumberColumn(
                                    width="small", help="Rows in any table whose source is this document")})


def _small(text: str) -> str:
    """Already-escaped text as a caption inside a Markdown block (small grey text, as st.caption draws it)."""
    return f":small[:gray[{text}]]"


def _record_md(ds, table: str, r: dict, *, with_source: bool = False) -> str:
    """A record as one Markdown block: what it says (with its figure), its verbatim quote, then table, id, source,
    locator, evidence (one element per record, not three: a page may list many)."""
    parts = [f"**{md(r['label'])}**"]
    if r.get("quote"):
        parts.append(f"> “{md(r['quote'])}”")
    else:
        parts.append(_small("Reference data (coordinates), not a quoted claim."))
    bits = [sources.TABLE_TITLES.get(table, "Places"), r["record_id"]]
    if with_source:
        bits.append(ui.source_line(ds, r["source_id"]))
    if r.get("locator"):
        bits.append(r["locator"])
    if r.get("evidence"):
        bits.append(ui.EVIDENCE_LABELS.get(r["evidence"], r["evidence"]))
    if r.get("caveat"):
        bits.append(f"Note: {r['caveat']}")
    if r.get("conflict_id") and not with_source:
        bits.append(f"Sources disagree here: see section 2 ({r['conflict_id']})")
    parts.append(_small(" · ".join(md(b) for b in bits)))
    return "\n\n".join(parts)


def _text(v) -> str | None:
    return v if ui.given(v) else None


def _document_view(ds, source_id: str) -> tuple[str, list[tuple[str, str, list[str]]]]:
    """Built once per dataset and document: its heading block, and per table (key, plain-text title, record
    blocks)."""
    docs = loaders.derive(ds, _documents)
    s = docs["counts"].iloc[docs["at"][source_id]].to_dict()
    recs = sources.citing_records(ds, source_id, index=loaders.derive(ds, sources.citing_index),
                                  lookups=loaders.derive(ds, sources.label_lookups))
    meta = [source_id, s["kind"], f"publisher: {_text(s['publisher']) or 'not named'}",
            f"author: {_text(s['author']) or 'not named'}", f"date: {sources.fmt_date(s['date_published'])}"]
    if _text(s["seed_file"]):
        meta.append(f"seed file {s['seed_file']}")
    head = [f"### {md(s['title'])}", _small(" · ".join(md(m) for m in meta))]
    if _text(s["date_note"]):
        head.append(f"**Date:** {md(s['date_note'])}")
    head.append(f"**Licence:** {md(s['licence'])}")
    if _text(s["notes"]):
        head.append(f"**Notes:** {md(s['notes'])}")
    if _text(s["url"]):
        head.append(_small(f"Address: {md(s['url'])}"))
    groups = []
    for table, df in recs.items():
        label = sources.TABLE_TITLES.get(table, "Places (coordinates from this gazetteer)")
        groups.append((table, label, [_record_md(ds, table, r) for r in df.to_dict("records")]))
    return "\n\n".join(head), groups


def _count(n: int) -> str:
    return f"{n} record{'s' if n != 1 else ''}"


def _document_card(ds, source_id: str) -> str | None:
    """A document as one ui.blocks part, built once per dataset and document: its heading and a collapsed group per
    table holding every record. None when it cites nothing or a table has more records than a page (drawn with
    widgets then: such a list gets a pager)."""
    head, groups = loaders.derive(ds, _document_view, source_id)
    if not groups or any(len(blocks) > ui.PER_PAGE for _, _, blocks in groups):
        return None
    return ui.card("\n\n".join([head, *(ui.disclosure(f"{title}: {_count(len(blocks))}", "\n\n".join(blocks))
                                           for _, title, blocks in groups)]))


def _documents_list(ds, ids, parts: list[str]) -> None:
    """The page of documents as cards added to parts; a document with a long list is drawn with its pagers."""
    for sid in ids:
        card = loaders.derive(ds, _document_card, sid)
        if card:
            parts.append(card)
            continue
        _flush(parts)
        _document(ds, sid)


def _document(ds, source_id: str) -> None:
    head, groups = loaders.derive(ds, _document_view, source_id)
    with st.container(border=True):
        st.markdown(head)
        if not groups:
            ui.empty("No record in the data cites this document.")
        for table, title, blocks in groups:
            with st.expander(f"{md(title)}: {_count(len(blocks))}"):
                # the page's records as one Markdown element (blank lines between them space them as elements do)
                st.markdown("\n\n".join(ui.paged(blocks, f"src_{source_id}_{table}", noun="records")))


def _disagreement_view(ds) -> dict:
    """Built once per dataset: the disagreements in table order, where each is, and which involve a document."""
    ids = ds["disagreements"]["conflict_id"].tolist()
    return {"ids": ids, "at": {c: i for i, c in enumerate(ids)}, "by_source": sources.conflicts_by_source(ds)}


def _conflict_card(ds, conflict_id: str) -> str:
    """One disagreement as one ui.blocks part, built once per dataset and disagreement: its heading, then the records
    on its sides in boxes side by side."""
    c = ds["disagreements"].iloc[loaders.derive(ds, _disagreement_view)["at"][conflict_id]]
    head = "\n\n".join([f"**{md(c['topic'])}**", md(c["summary"]),
                          _small(f"How the data keeps it: {md(c['handling'])}")])
    pairs = loaders.derive(ds, sources.conflict_pairs)
    where = pairs.iloc[loaders.derive(ds, sources.conflict_index).get(conflict_id, [])]
    rows = sources.conflict_rows(ds, conflict_id, loaders.derive(ds, sources.label_lookups), where=where)
    sides = [ui.card(_record_md(ds, r["table"], r, with_source=True)) for r in rows.to_dict("records")]
    return ui.card("\n\n".join([head, ui.grid(sides)]))


def _disagreements(ds, focus: str, parts: list[str]) -> None:
    view = loaders.derive(ds, _disagreement_view)
    ids = view["by_source"].get(focus, []) if focus else view["ids"]
    if len(ids) > 10:
        _flush(parts)  # the pager comes between the heading and the disagreements
    parts += [loaders.derive(ds, _conflict_card, cid)
              for cid in ui.paged(ids, "disagreements", per_page=10, noun="disagreements", url_key="dpage")]
    if focus:
        parts.append(_small(f"Showing the {len(ids):,} of {len(view['ids']):,} disagreements that involve "
                            f"{md(focus)}; choose 'All documents' above to see every one."))
    if not ids:
        _flush(parts)
        ui.empty("No known disagreement involves this document.")


def _method_text(ds) -> str:
    """The method section as one Markdown list, built once per dataset."""
    ev = sources.evidence_counts(ds)
    kinds = "\n".join(f"  - **{md(r['evidence'])}** ({r['rows']:,} rows): "
                      f"{md(ui.EVIDENCE_LABELS.get(r['evidence'], ''))}"
                      for r in ev.to_dict("records"))
    nodata = sources.countries_without_records(ds)
    geonames = ds["sources"].set_index("source_id")
    coords = (f"{geonames.loc['ref-geonames', 'title']} ({geonames.loc['ref-geonames', 'licence']})"
              if "ref-geonames" in geonames.index else "a gazetteer named in the places table")
    bnd = next((r for r in ds.descriptor.get("resources", []) if r.get("name") == "boundaries"), None)
    lines = [
        "**Evidence kinds.** Every row carries its source, a verbatim quote and a locator, and says what kind of "
        "evidence the quote is:\n" + kinds,
        "**Quotes** are verbatim except for whitespace and typographic normalisation (straight or curly quotes, "
        "dashes); two exact pieces of one document may be joined by “ … ”.",
        "**Figures are never estimated, rounded or summed across sources that disagree.** A figure the documents do "
        "not give is left empty and shown as “not given”; qualifiers such as “about” and “more than” are kept.",
        "**Disagreements** are kept as separate rows, one per side, each with its own source (section 2).",
    ]
    # One line per distinct country and note: copies of the same country (as in scaled test data) share a line.
    same = nodata.groupby(["name", "coverage_note"], sort=False, dropna=False)["iso3"].agg(list)
    for (name, note), codes in same.items():
        more = "" if len(codes) == 1 else f" ({len(codes):,} countries by this name: {', '.join(codes[:5])}" + (
            ", …)" if len(codes) > 5 else ")")
        lines.append(f"**{md(name)} has no data.** {md(note)}{md(more)}")
    lines.append(f"**Coordinates** of places come from {md(coords)}; they are reference data, not claims.")
    if bnd:
        lines.append(f"**Boundaries** for the map: {md(bnd.get('description', ''))}")
    return "\n".join(f"- {x}" for x in lines)


def _method(ds) -> str:
    return (loaders.derive(ds, _method_text) + "\n\n"
            + _small(f"Data as of {md(ui.as_of(ds))} · package version {md(ds.descriptor.get('version', ''))}"))


def _download_text(ds, name: str) -> str:
    """One file's content, built on the first click and then kept for the dataset: a table as the package holds
    it, or the descriptor."""
    if name == "datapackage.json":
        return sources.descriptor_json(ds.descriptor)
    return sources.table_csv(ds[name], sources.table_fields(ds.descriptor)[name])


def _download_items(ds) -> list[tuple[str, str, str]]:
    """(file name, mime, note) for every table and the descriptor."""
    items = [(f"{name}.csv", "text/csv", f"{len(ds[name]):,} rows") for name in sources.table_fields(ds.descriptor)]
    items.append(("datapackage.json", "application/json", "descriptor"))
    return items


def _downloads(ds) -> None:
    # One row of buttons that wraps, not a grid of columns: each column is an element (a message) of its own.
    with st.container(horizontal=True):
        for fname, mime, note in loaders.derive(ds, _download_items):
            # The file is written when clicked (then kept): no run builds or re-sends every table up front.
            st.download_button(f"{fname} ({note})",
                               data=partial(loaders.derive, ds, _download_text, fname.removesuffix(".csv")),
                               file_name=fname, mime=mime, key=f"dl_{fname}", on_click="ignore")


def _citation_text(ds, name: str) -> str:
    return citations.files(ds)[name]


def _citation_downloads(ds) -> None:
    st.caption("The documents as references for Zotero, EndNote, Mendeley or Word: BibTeX, RIS and CSL-JSON, each "
               "entry with its address where known and a note on where it was read.")
    labels = {"sources.bib": "BibTeX (sources.bib)", "sources.ris": "RIS (sources.ris)",
              "sources.json": "CSL-JSON (sources.json)"}
    with st.container(horizontal=True):
        for fname, mime in citations.FILES.items():
            st.download_button(labels[fname], data=partial(loaders.derive, ds, _citation_text, fname),
                               file_name=fname, mime=mime, key=f"dl_cite_{fname}", on_click="ignore")


if __name__ == "__main__":
    render()
