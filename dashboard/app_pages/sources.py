"""Sources and method page: every document and what cites it, the known disagreements side by side, the data."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders, query, ui
from dashboard.safe import md
from dashboard.transforms import sources

ALL = ""


def _sync_source(ids: list[str]) -> None:
    """Follow a link to this page that carries a new ?source= even when the select box already has a value."""
    raw = st.query_params.get("source")
    if raw in ids and raw != st.session_state.get("_sources_url") and "q_source" in st.session_state:
        st.session_state["q_source"] = raw
        st.query_params["source"] = raw  # a same-page link leaves the address bar without it; write it back


def render() -> None:
    ds = loaders.dataset()
    ui.header("Sources and method",
              "Every document the data cites, every record that cites it with its quote, the points where sources "
              "disagree, how the data was made, and the tables to download.")
    counts = loaders.derive(ds, sources.citation_counts)
    titles = dict(zip(counts["source_id"], counts["title"], strict=True))
    ids = list(titles)
    _sync_source(ids)

    st.subheader("1. The documents")
    focus = query.bound("source", st.selectbox, [ALL, *ids], ALL, "Focus one document",
                        fmt=lambda s: "All documents" if s == ALL else f"{s}: {sources.short_title(titles[s])}")
    _documents_table(counts)
    st.session_state["_sources_url"] = st.query_params.get("source")
    for sid in ([focus] if focus else ids):
        _document(ds, sid, counts.set_index("source_id").loc[sid].to_dict())

    st.subheader("2. Where the sources disagree")
    _disagreements(ds, focus)

    st.subheader("3. Method and caveats")
    _method(ds)

    st.subheader("4. Download the data")
    _downloads(ds)


def _documents_table(counts: pd.DataFrame) -> None:
    shown = pd.DataFrame({
        "Document": counts["source_id"],
        "Title": counts["title"],
        "Kind": counts["kind"],
        "Date": counts["date_published"].map(sources.fmt_date),
        "Records": counts["records"].astype(int),
        "Publisher": counts["publisher"].fillna("not named"),
        "Author": counts["author"].fillna("not named"),
        "Licence": counts["licence"],
        "Notes": counts["notes"].fillna(""),
    })
    st.dataframe(shown, hide_index=True, width="stretch", height=min(38 + 35 * len(shown), 290),
                 column_config={"Title": st.column_config.TextColumn(width="medium"),
                                "Records": st.column_config.NumberColumn(
                                    width="small", help="Rows in any table whose source is this document")})


def _record(ds, table: str, r: dict, *, with_source: bool = False) -> None:
    """A record: what it says (with its figure), its verbatim quote, then table, id, source, locator, evidence."""
    st.markdown(f"**{md(r['label'])}**")
    if r.get("quote"):
        st.markdown(f"> “{md(r['quote'])}”")
    else:
        st.caption("Reference data (coordinates), not a quoted claim.")
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
    st.caption(" · ".join(md(b) for b in bits))


def _document(ds, source_id: str, s: dict) -> None:
    recs = loaders.derive(ds, sources.citing_records, source_id)
    with st.container(border=True):
        st.markdown(f"#### {md(s['title'])}")
        meta = [source_id, s["kind"], f"publisher: {s['publisher'] or 'not named'}",
                f"author: {s['author'] or 'not named'}", f"date: {sources.fmt_date(s['date_published'])}"]
        if s["seed_file"]:
            meta.append(f"seed file {s['seed_file']}")
        st.caption(" · ".join(md(m) for m in meta))
        if s["date_note"]:
            st.markdown(f"**Date:** {md(s['date_note'])}")
        st.markdown(f"**Licence:** {md(s['licence'])}")
        if s["notes"]:
            st.markdown(f"**Notes:** {md(s['notes'])}")
        if s["url"]:
            st.caption(f"Address: {md(s['url'])}")
        if not recs:
            ui.empty("No record in the data cites this document.")
        for table, df in recs.items():
            label = sources.TABLE_TITLES.get(table, "Places (coordinates from this gazetteer)")
            with st.expander(f"{md(label)}: {len(df)} record{'s' if len(df) != 1 else ''}"):
                for r in df.to_dict("records"):
                    _record(ds, table, r)


def _disagreements(ds, focus: str) -> None:
    d = loaders.derive(ds, sources.disagreement_overview)
    shown = 0
    for c in d.to_dict("records"):
        rows = loaders.derive(ds, sources.conflict_rows, c["conflict_id"])
        if focus and focus not in set(rows["source_id"]):
            continue
        shown += 1
        with st.container(border=True):
            st.markdown(f"**{md(c['topic'])}**")
            st.markdown(md(c["summary"]))
            st.caption(f"How the data keeps it: {md(c['handling'])}")
            per_line = 3 if len(rows) > 4 else max(len(rows), 1)
            for start in range(0, len(rows), per_line):
                cols = st.columns(per_line)
                for col, r in zip(cols, rows.iloc[start:start + per_line].to_dict("records"), strict=False):
                    with col, st.container(border=True):
                        _record(ds, r["table"], r, with_source=True)
    if focus:
        st.caption(f"Showing the {shown} of {len(d)} disagreements that involve {md(focus)}; choose 'All documents' "
                   "above to see every one.")
    if not shown:
        ui.empty("No known disagreement involves this document.")


def _method(ds) -> None:
    ev = loaders.derive(ds, sources.evidence_counts)
    kinds = "\n".join(f"  - **{md(r['evidence'])}** ({r['rows']} rows): {md(ui.EVIDENCE_LABELS.get(r['evidence'], ''))}"
                      for r in ev.to_dict("records"))
    nodata = loaders.derive(ds, sources.countries_without_records)
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
    for c in nodata.to_dict("records"):
        lines.append(f"**{md(c['name'])} has no data.** {md(c['coverage_note'])}")
    lines.append(f"**Coordinates** of places come from {md(coords)}; they are reference data, not claims.")
    if bnd:
        lines.append(f"**Boundaries** for the map: {md(bnd.get('description', ''))}")
    st.markdown("\n".join(f"- {x}" for x in lines))
    st.caption(f"Data as of {md(ui.as_of(ds))} · package version {md(ds.descriptor.get('version', ''))}")


def _download_items(ds) -> list[tuple[str, str, str, str]]:
    """(file name, content, mime, note) for every table and the descriptor; built once per dataset."""
    fields = sources.table_fields(ds.descriptor)
    items = [(f"{name}.csv", sources.table_csv(ds[name], flds), "text/csv", f"{len(ds[name])} rows")
             for name, flds in fields.items()]
    items.append(("datapackage.json", sources.descriptor_json(ds.descriptor), "application/json", "descriptor"))
    return items


def _downloads(ds) -> None:
    st.caption("Each table exactly as the data package holds it (UTF-8 CSV, empty cell = not given), and the "
               "descriptor that defines every field.")
    items = loaders.derive(ds, _download_items)
    for start in range(0, len(items), 4):
        for col, (fname, data, mime, note) in zip(st.columns(4), items[start:start + 4], strict=False):
            with col:
                st.download_button(f"{fname} ({note})", data=data, file_name=fname, mime=mime,
                                   key=f"dl_{fname}", width="stretch", on_click="ignore")


if __name__ == "__main__":
    render()
