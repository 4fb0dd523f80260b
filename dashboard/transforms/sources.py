"""Provenance transforms: what cites a document, the rows on each side of a disagreement, cited headline figures,
and each table back as CSV text for download."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard import editorial, fmt
from dashboard.transforms.links import Tables

# Tables whose rows are claims (each carries source_id, quote, locator), in the order a reader meets them.
CLAIM_TABLES = ["deployments", "financing", "debt", "actions", "action_dates", "action_entities", "entities",
                "indicators", "events", "countries", "places", "installations", "statements"]
TABLE_TITLES = {
    "sources": "Sources", "disagreements": "Known disagreements", "countries": "Countries", "places": "Places",
    "entities": "Companies, lenders and agencies", "deployments": "Surveillance and telecom systems",
    "financing": "Loans, deals and offers", "debt": "Debt owed to Chinese lenders", "actions": "US and UK actions",
    "action_dates": "Dates of actions", "action_entities": "Who each action names",
    "indicators": "National and market figures", "events": "Events",
    "installations": "Installations outside Central Asia", "statements": "Statements, letters and calls to act",
}
PRIMARY_KEYS = {
    "sources": ["source_id"], "disagreements": ["conflict_id"], "countries": ["iso3"], "places": ["place_id"],
    "entities": ["entity_id"], "deployments": ["deployment_id"], "financing": ["financing_id"], "debt": ["debt_id"],
    "actions": ["action_id"], "action_dates": ["action_date_id"], "action_entities": ["action_id", "entity_id"],
    "indicators": ["indicator_id"], "events": ["event_id"], "installations": ["installation_id"],
    "statements": ["statement_id"],
}
COORDS = "places (coordinates)"  # places whose coordinates (not claims) come from a reference dataset
EVIDENCE_ORDER = ["seed", "record-quoted", "record-note-read", "record-note-secondary"]


# --- formatting figures exactly as the data holds them (never rounded) ---

def given(v) -> bool:
    return fmt.given(v)


fmt_number = fmt.number
qualified = fmt.hedge
fmt_date = fmt.date
fmt_year_month = fmt.year_month


def fmt_usd(v) -> str:
    """US dollars as fmt.money writes them; 'not given' when empty."""
    return fmt.money(v, missing=fmt.NOT_GIVEN)


def nones(df: pd.DataFrame) -> pd.DataFrame:
    """Missing cells as None (object columns), as data.load gives them, so `row.get(col)` is falsy when empty."""
    return df.astype(object).where(df.notna(), None)


# --- what a row says, in a line ---

def row_id(table: str, row) -> str:
    return " / ".join(str(row[k]) for k in PRIMARY_KEYS.get(table, [])) or str(getattr(row, "name", ""))


def label_lookups(t: Tables) -> tuple[dict, dict]:
    """(entity id -> name, action id -> title): what record labels look up; build once and pass to many labels."""
    return (dict(zip(t["entities"]["entity_id"], t["entities"]["name"], strict=True)),
            dict(zip(t["actions"]["action_id"], t["actions"]["title"], strict=True)))


def record_label(t: Tables, table: str, row, lookups: tuple[dict, dict] | None = None) -> str:
    """One line naming what a row (a Series or a dict) claims, with its key figure as stored.

    lookups: label_lookups(t), when labelling many rows (otherwise it is built for this one row).
    """
    names, actions = lookups if lookups is not None else label_lookups(t)
    if table == "deployments":
        bits = [row["description"], *fmt.deployment_figures(row), fmt_year_month(row["year"], row["month"])]
        return " · ".join(bits)
    if table == "financing":
        written = row["lender_as_written"] if given(row["lender_as_written"]) else None
        lender = written or (names.get(row["lender_id"]) if given(row["lender_id"]) else None) or "lender not named"
        return (f"{row['kind'].capitalize()} from {lender}: {fmt_usd(row['amount_usd'])} for {row['purpose']} "
                f"({row['status']})")
    if table == "debt":
        return (f"{row['country_iso3']}: " + fmt.percent(row["share_pct"], row["share_qualifier"])
                + f" of public debt owed to {row['creditor']}")
    if table == "actions":
        return f"{row['title']} ({row['status']})"
    if table == "action_dates":
        written = f"as written: '{row['date_as_written']}'"
        shown = f"{fmt_date(row['date'])} ({written})" if given(row["date"]) else written
        return f"{actions.get(row['action_id'], row['action_id'])}: {row['date_kind']} {shown}"
    if table == "action_entities":
        action = actions.get(row["action_id"], row["action_id"])
        return f"{action}: names {names.get(row['entity_id'], row['entity_id'])}"
    if table == "entities":
        return f"{row['name']}: {row['description']}"
    if table == "indicators":
        value = fmt.quantity(row["value"], row["unit"], row["qualifier"], with_unit=True)
        return f"{row['name']}: {value}" + (f" ({int(row['year'])})" if given(row["year"]) else "")
    if table == "events":
        return f"{row['title']} ({fmt_year_month(row['year'], row['month'])})"
    if table == "countries":
        return f"{row['name']}: {row['coverage_note']}"
    if table == "places":
        return f"{row['name']} ({row['country_iso3']})"
    if table == "installations":
        return f"{names.get(row['vendor_id'], row['vendor_id'])} · {row['country_iso3']}: {row['description']}"
    if table == "statements":
        return f"{row['speaker']} ({row['kind']}, {row['stance']}): {row['summary']}"
    if table == COORDS:
        return f"{row['name']}: {row['lat']}, {row['lon']} (GeoNames {row['geonameid']})"
    return row_id(table, row)


def _with_labels(t: Tables, table: str, df: pd.DataFrame, lookups: tuple[dict, dict] | None = None) -> pd.DataFrame:
    """The rows with record_id and label in front: one pass over plain dicts (no per-row Series)."""
    df = df.copy()
    key_table = "places" if table == COORDS else table
    lookups = lookups if lookups is not None else label_lookups(t)
    rows = df.to_dict("records")
    df.insert(0, "record_id", [row_id(key_table, r) for r in rows])
    df.insert(1, "label", [record_label(t, table, r, lookups) for r in rows])
    return df


# --- which records cite a document ---

class Positions:
    """value -> positions (ascending) of the rows holding it, for every value of a column; missing values left out.

    One sort of the column instead of a dict of arrays (which costs a Python object per distinct value and, with
    thousands of documents, most of a page's first run).
    """

    def __init__(self, values: pd.Series):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        self._order = np.argsort(codes, kind="stable")
        ordered = codes[self._order]
        n = np.arange(len(uniques))
        self._start = np.searchsorted(ordered, n, side="left")
        self._end = np.searchsorted(ordered, n, side="right")
        self._code = {v: i for i, v in enumerate(uniques.tolist())}

    def get(self, value, default=()) -> np.ndarray:
        i = self._code.get(value)
        return default if i is None else self._order[self._start[i]:self._end[i]]

    def __contains__(self, value) -> bool:
        return value in self._code

    def keys(self) -> list:
        return list(self._code)


def citing_index(t: Tables) -> dict[str, Positions]:
    """Per claim table (and COORDS): source id -> positions of the rows that cite it, in table order.

    Built once per dataset, it turns citing_records for one document from a scan of every table into a lookup.
    """
    out = {table: Positions(t[table]["source_id"]) for table in CLAIM_TABLES}
    out[COORDS] = Positions(t["places"]["coord_source_id"])
    return out


def citing_records(t: Tables, source_id: str, *, index: dict | None = None,
                   lookups: tuple[dict, dict] | None = None) -> dict[str, pd.DataFrame]:
    """Every row of every claim table that cites the document, grouped by table (empty tables left out).

    Places whose coordinates come from the document (a gazetteer) are listed under COORDS without a quote.
    index (citing_index(t)) and lookups (label_lookups(t)), when given, make this a lookup rather than a scan.
    """
    lookups = lookups if lookups is not None else label_lookups(t)

    def rows(df: pd.DataFrame, key: str, column: str) -> pd.DataFrame:
        if index is None:
            return df[df[column] == source_id]
        at = index[key].get(source_id, ())
        return df.iloc[at] if len(at) else df.iloc[:0]

    out: dict[str, pd.DataFrame] = {}
    for table in CLAIM_TABLES:
        hits = rows(t[table], table, "source_id")
        if not hits.empty:
            out[table] = _with_labels(t, table, hits, lookups)
    coords = rows(t["places"], COORDS, "coord_source_id")
    if not coords.empty:
        coords = coords.assign(quote=None, source_id=source_id,
                               locator=[f"GeoNames id {g}" for g in coords["geonameid"]], evidence=None)
        out[COORDS] = _with_labels(t, COORDS, coords, lookups)
    return {k: nones(v) for k, v in out.items()}


def citation_counts(t: Tables) -> pd.DataFrame:
    """Per document: its description and how many rows of each claim table cite it, plus the total."""
    s = t["sources"].copy()
    for table in CLAIM_TABLES:
        counts = t[table]["source_id"].value_counts()
        s[table] = s["source_id"].map(counts).fillna(0).astype(int)
    s["coordinates"] = s["source_id"].map(t["places"]["coord_source_id"].value_counts()).fillna(0).astype(int)
    s["records"] = s[CLAIM_TABLES].sum(axis=1) + s["coordinates"]
    return s


def evidence_counts(t: Tables) -> pd.DataFrame:
    """How many claim rows rest on each kind of evidence (places carry no evidence column)."""
    kinds = pd.concat([t[table]["evidence"] for table in CLAIM_TABLES if "evidence" in t[table].columns])
    counts = kinds.value_counts()
    order = [k for k in EVIDENCE_ORDER if k in counts.index] + sorted(set(counts.index) - set(EVIDENCE_ORDER))
    return pd.DataFrame({"evidence": order, "rows": [int(counts[k]) for k in order]})


# --- disagreements ---

CONFLICT_COLUMNS = ["table", "record_id", "label", "quote", "source_id", "locator", "evidence", "caveat",
                    "conflict_id"]


def conflict_rows(t: Tables, conflict_id: str, lookups: tuple[dict, dict] | None = None,
                  where: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every row in any table that points to the disagreement, with its table, label, quote and source.

    where: the disagreement's rows of conflict_pairs(t) (table, pos), when known, so no table is scanned.
    """
    lookups = lookups if lookups is not None else label_lookups(t)
    tables = CLAIM_TABLES if where is None else [x for x in CLAIM_TABLES if x in set(where["table"])]
    parts = []
    for table in tables:
        df = t[table]
        if "conflict_id" not in df.columns:
            continue
        if where is None:
            hits = df[df["conflict_id"] == conflict_id]
        else:
            hits = df.iloc[where.loc[where["table"] == table, "pos"].to_numpy()]
        if hits.empty:
            continue
        hits = _with_labels(t, table, hits, lookups)
        hits.insert(0, "table", table)
        if "caveat" not in hits.columns:
            hits["caveat"] = None
        parts.append(hits[CONFLICT_COLUMNS])
    if not parts:
        return pd.DataFrame(columns=CONFLICT_COLUMNS)
    return nones(pd.concat(parts, ignore_index=True))


def conflict_pairs(t: Tables) -> pd.DataFrame:
    """Every row that points to a disagreement: its table, position in that table, source_id and conflict_id, in
    conflict_rows' order (claim tables in reading order, then row order)."""
    parts = []
    for table in CLAIM_TABLES:
        df = t[table]
        if "conflict_id" not in df.columns:
            continue
        pos = np.flatnonzero(df["conflict_id"].notna().to_numpy())
        parts.append(pd.DataFrame({"table": table, "pos": pos, "source_id": df["source_id"].to_numpy()[pos],
                                   "conflict_id": df["conflict_id"].to_numpy()[pos]}))
    return pd.concat(parts, ignore_index=True)


def conflict_index(t: Tables) -> Positions:
    """conflict id -> positions in conflict_pairs(t) of its rows (so one disagreement's rows are a lookup)."""
    return Positions(conflict_pairs(t)["conflict_id"])


def conflicts_by_source(t: Tables) -> dict[str, list[str]]:
    """document id -> the disagreements it stands on a side of, in the disagreements table's order."""
    pairs = conflict_pairs(t)[["source_id", "conflict_id"]].drop_duplicates()
    order = pd.Series(np.arange(len(t["disagreements"])), index=t["disagreements"]["conflict_id"].to_numpy())
    pairs = pairs.assign(order=pairs["conflict_id"].map(order)).dropna(subset=["order"])
    pairs = pairs.sort_values("order", kind="stable")
    by_source, cids = Positions(pairs["source_id"]), pairs["conflict_id"].to_numpy()
    return {s: cids[by_source.get(s)].tolist() for s in by_source.keys()}


def disagreement_overview(t: Tables) -> pd.DataFrame:
    """Each disagreement with how many rows and how many distinct documents stand on its sides."""
    d = t["disagreements"].copy()
    g = conflict_pairs(t).groupby("conflict_id")
    d["rows"] = d["conflict_id"].map(g.size()).fillna(0).astype(int)
    d["documents"] = d["conflict_id"].map(g["source_id"].nunique()).fillna(0).astype(int)
    return d


# --- headline figures, each read from one cited row ---

HEADLINES = editorial.HEADLINES
EVIDENCE_COLUMNS = ["quote", "source_id", "locator", "evidence", "caveat", "conflict_id"]


def _evidence_of(row) -> dict:
    return {c: (row[c] if c in row.index and given(row[c]) else None) for c in EVIDENCE_COLUMNS}


def headline_figures(t: Tables) -> pd.DataFrame:
    """The overview's single cited figures: value read from one row (never summed across sources that disagree).

    Columns: key, label (short, for a metric card), value, note (one line of context from the row), table,
    record_id, the row's evidence columns, and date_row (the action_dates row behind a date in the label, or None).
    A headline whose row is missing from the data is left out.
    """
    ents = t["entities"].set_index("entity_id")
    places = t["places"].set_index("place_id")
    countries = t["countries"].set_index("iso3")
    out = []
    for key, table, rid in HEADLINES:
        df = t[table].set_index(PRIMARY_KEYS[table][0])
        if rid not in df.index:
            continue
        r = df.loc[rid]
        date_row = None
        if key == "cameras":
            value = fmt.count(r["cameras_installed"], None, r["cameras_installed_qualifier"])
            label = f"{ents.loc[r['vendor_id'], 'name']} cameras, {places.loc[r['place_id'], 'name']}"
            note = f"{r['description'].rstrip('.')} · {countries.loc[r['country_iso3'], 'name']} · {r['status']}"
        elif key == "cost":
            value = fmt_usd(r["cost_usd"])
            label = f"{places.loc[r['place_id'], 'name']} {r['system_type']}, cost"
            note = (f"{ents.loc[r['vendor_id'], 'name']} system, {fmt_year_month(r['year'], r['month'])}; "
                    f"{countries.loc[r['country_iso3'], 'name']}")
        elif key == "debt":
            value = fmt.percent(r["share_pct"], r["share_qualifier"])
            label = f"{countries.loc[r['country_iso3'], 'name']} debt: {r['creditor']}"
            note = f"Share of public debt owed to {r['creditor']}" + ("" if given(r["as_of"]) else "; undated")
        elif key == "listing":
            value = fmt_number(r["listed_count"])
            dates = t["action_dates"]
            eff = dates[(dates["action_id"] == rid) & (dates["date_kind"] == "effective") & dates["date"].notna()]
            when = "date not given"
            if not eff.empty:
                date_row = nones(eff.sort_values("date")).to_dict("records")[0]
                when = fmt_date(date_row["date"])
            label = f"US Entity List, {when}"
            note = r["title"]
        else:  # offer
            lender = ents.loc[r["lender_id"], "name"] if given(r["lender_id"]) else r["lender_as_written"]
            value = fmt_usd(r["amount_usd"])
            label = f"{lender} {r['kind']}, {r['status']}"
            note = f"For a {r['purpose']}; {fmt_year_month(r['year'], r['month'])}"
        out.append({"key": key, "label": label, "value": value, "note": note, "table": table, "record_id": rid,
                    **_evidence_of(r), "date_row": date_row})
    return nones(pd.DataFrame(out))


# --- downloads ---

def _cell(v, kind: str) -> str:
    if not given(v):
        return ""
    if kind == "date":
        return f"{pd.Timestamp(v):%Y-%m-%d}"
    if kind == "boolean":
        return "true" if v else "false"
    if kind == "integer":
        return str(int(v))
    if kind == "number":
        f = float(v)
        return str(int(f)) if f.is_integer() else repr(f)
    return str(v)


def _column_text(col: pd.Series, kind: str) -> np.ndarray:
    """_cell of every value of a column: missing cells found once for the column, present ones formatted by kind."""
    present = col.notna().to_numpy(dtype=bool)
    values = col.to_numpy(dtype=object)[present]
    out = np.full(len(col), "", dtype=object)
    if kind == "string" and all(type(v) is str for v in values):
        out[present] = values
    else:
        out[present] = [_cell(v, kind) for v in values]
    return out


def table_csv(df: pd.DataFrame, fields: Sequence[dict]) -> str:
    """A loaded table written back as CSV in the package's own conventions (ISO dates, true/false, empty = missing)."""
    names = [f["name"] for f in fields]
    kinds = {f["name"]: f.get("type", "string") for f in fields}
    text = pd.DataFrame({n: _column_text(df[n], kinds[n]) for n in names}, columns=names)
    return text.to_csv(index=False, lineterminator="\n")


def table_fields(descriptor: dict) -> dict[str, list[dict]]:
    """Schema fields per tabular resource of a data package descriptor, in package order."""
    return {r["name"]: r["schema"]["fields"] for r in descriptor.get("resources", [])
            if r.get("profile") == "tabular-data-resource"}


def descriptor_json(descriptor: dict) -> str:
    """The package descriptor as the datapackage.json file is written (2-space indent, UTF-8 kept)."""
    return json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"


def short_title(title: str, n: int = 70) -> str:
    title = str(title)
    return title if len(title) <= n else title[: n - 1].rstrip() + "…"


def countries_without_records(t: Tables) -> pd.DataFrame:
    """Central Asian countries with no deployment, financing, debt or event row: shown as 'no data', never zero."""
    c = t["countries"]
    c = c[c["region"] == "central_asia"]
    used = set().union(*(set(t[name]["country_iso3"].dropna()) for name in ("deployments", "financing", "debt",
                                                                            "events")))
    return c[~c["iso3"].isin(used)].reset_index(drop=True)
