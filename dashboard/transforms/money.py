"""Money transforms: financing by country and status, the Dushanbe split, debt shares and disagreements (pure)."""

from __future__ import annotations

import pandas as pd

from dashboard import editorial, fmt
from dashboard.transforms.links import Tables

STATUS_GROUPS = ("funded or committed", "declined offer", "request not met")


def sources_text(t: Tables, source_ids, most: int | None = None) -> str:
    """A short source line for a chart: publisher (or author) and seed number, in the order first cited (each
    distinct part once). most: name at most that many and count the rest, so a line fits under a chart."""
    wanted = dict.fromkeys(source_ids)
    src = t["sources"]
    src = src[src["source_id"].isin(list(wanted))]  # only the cited rows: one vectorised pass, no per-id .loc
    who = {sid: (pub or auth or title) for sid, pub, auth, title in
           zip(src["source_id"], src["publisher"], src["author"], src["title"], strict=True)}
    parts = [f"{who[sid]} (seed {sid[5:]})" if sid.startswith("seed-") else str(who[sid])
             for sid in wanted if sid in who]
    parts = list(dict.fromkeys(parts))
    if most is not None and len(parts) > most:
        rest = len(parts) - most
        parts = [*parts[:most], f"and {rest:,} other source{'s' if rest != 1 else ''}"]
    return "; ".join(parts)


def status_group(status: str | None) -> str:
    """Three groups: money provided or committed, an offer turned down, a request not met."""
    if status == "declined":
        return "declined offer"
    if status == "request not met":
        return "request not met"
    return "funded or committed"


def _num(x: float) -> str:
    return fmt.number(x)


def money(amount) -> str:
    """US dollars as fmt writes them ('US$22 million'); 'amount not given' when empty."""
    return fmt.money(amount)


def ca_order(t: Tables) -> tuple[str, ...]:
    """The five Central Asian states (editorial.CENTRAL_ASIA), with or without records."""
    return editorial.CENTRAL_ASIA


def country_names(t: Tables) -> dict[str, str]:
    c = t["countries"]
    return dict(zip(c["iso3"], c["name"], strict=True))


def money_countries(t: Tables) -> list[str]:
    """Countries for the filter: the five Central Asian states (even with nothing documented), then any other
    country the financing table names (China, for the World Bank request)."""
    ca = ca_order(t)
    others = sorted(set(t["financing"]["country_iso3"]) - set(ca))
    return [*ca, *others]


def financing_rows(t: Tables, country: str | None = None, group: str | None = None) -> pd.DataFrame:
    """Every financing row with country and lender names, status group, amount in words and a short on-screen label.

    country: an ISO-3 code or None for all; group: one of STATUS_GROUPS or None for all.
    """
    f = t["financing"].copy()
    names = country_names(t)
    ents = dict(zip(t["entities"]["entity_id"], t["entities"]["name"], strict=True))
    f["country"] = f["country_iso3"].map(names)
    f["lender"] = [ents.get(lid) if lid else (lw or "lender not named")
                   for lid, lw in zip(f["lender_id"], f["lender_as_written"], strict=True)]
    f["status_group"] = f["status"].map(status_group)
    f["amount_text"] = f["amount_usd"].map({a: money(a) for a in f["amount_usd"].dropna().unique()}).fillna(
        money(None))
    f["amount_note"] = f["financing_id"].map(editorial.AMOUNT_NOTES).fillna("")
    f["disputed"] = f["conflict_id"].notna()
    f["when"] = [("" if pd.isna(y) else f"{int(y)}" + (f"-{int(m):02d}" if pd.notna(m) else ""))
                 for y, m in zip(f["year"], f["month"], strict=True)]
    order = {iso: i for i, iso in enumerate(money_countries(t))}
    f = f.assign(_c=f["country_iso3"].map(order), _a=f["amount_usd"].fillna(-1))
    f = f.sort_values(["_c", "_a", "financing_id"], ascending=[True, False, True]).drop(columns=["_c", "_a"])
    return filter_financing(f.reset_index(drop=True), country, group)


def filter_financing(rows: pd.DataFrame, country: str | None = None, group: str | None = None) -> pd.DataFrame:
    """The rows of financing_rows for one country (ISO-3) and status group (None: all), order kept.

    Lets a page filter the full, once-computed rows instead of rebuilding them for every filter."""
    if country:
        rows = rows[rows["country_iso3"] == country]
    if group:
        rows = rows[rows["status_group"] == group]
    return rows.reset_index(drop=True) if (country or group) else rows


def financing_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The columns a reader scans, with amounts in words ('amount not given' where the documents give none)."""
    return pd.DataFrame({
        "Country": rows["country"],
        "Lender or funder": rows["lender"],
        "Kind": rows["kind"],
        "Amount": rows["amount_text"],
        "What the amount covers": rows["amount_note"],
        "Status": rows["status"],
        "Year": rows["when"].replace("", "not given"),
        "Purpose": rows["purpose"],
        "Sources disagree": rows["disputed"].map({True: "yes", False: ""}),
    }).reset_index(drop=True)


def dushanbe_split(t: Tables) -> pd.DataFrame:
    """Each source's account of how Dushanbe's Safe City was paid for, one segment per financing row.

    Sides are never merged: a source that does not break down the whole project total gets a remainder segment
    labelled as such. Columns: side, source_id, segment, lender, amount_usd, financing_id, role.
    """
    dep = t["deployments"].set_index("deployment_id")
    total = dep.loc[editorial.DUSHANBE, "cost_usd"] if editorial.DUSHANBE in dep.index else float("nan")
    f = financing_rows(t)
    f = f[f["deployment_id"] == editorial.DUSHANBE]
    disputed = f[f["disputed"]]
    raw = t["financing"]
    # One side per source, in the order the data lists them (the seed document first).
    sides = list(dict.fromkeys(raw.loc[raw["financing_id"].isin(disputed["financing_id"]), "source_id"]))
    shared = f[~f["disputed"]]
    rows = []
    for src in sides:
        own = pd.concat([shared[shared["source_id"] == src], disputed[disputed["source_id"] == src]])
        for _, r in own.iterrows():
            rows.append(dict(side=editorial.SIDE_LABELS.get(src, src), source_id=src, segment=r["lender"],
                             lender=r["lender"], amount_usd=float(r["amount_usd"]), financing_id=r["financing_id"],
                             role="domestic" if not r["disputed"] else "loan", kind=r["kind"]))
        covered = float(own["amount_usd"].sum())
        if pd.notna(total) and covered < float(total):
            rows.append(dict(side=editorial.SIDE_LABELS.get(src, src), source_id=src,
                             segment=f"Rest of the {money(total)} project: not broken down by this source",
                             lender="", amount_usd=float(total) - covered, financing_id="", role="remainder",
                             kind=""))
    out = pd.DataFrame(rows, columns=["side", "source_id", "segment", "lender", "amount_usd", "financing_id", "role",
                                      "kind"])
    out.attrs["total_usd"] = None if pd.isna(total) else float(total)
    return out


def debt_shares(t: Tables) -> pd.DataFrame:
    """Per Central Asian state: the share of public debt owed to Chinese lenders, or NaN and the words
    'no figure in the documents'."""
    names = country_names(t)
    d = t["debt"].set_index("country_iso3")
    out = pd.DataFrame({"iso3": list(ca_order(t))})
    out["country"] = out["iso3"].map(names)
    out["share_pct"] = out["iso3"].map(d["share_pct"]).astype(float)
    out["qualifier"] = out["iso3"].map(d["share_qualifier"]).fillna("")
    out["creditor"] = out["iso3"].map(d["creditor"]).fillna("")
    out["debt_id"] = out["iso3"].map(d["debt_id"]).fillna("")
    out["label"] = [
        fmt.percent(v, q, missing="no figure in the documents")
        for v, q in zip(out["share_pct"], out["qualifier"], strict=True)
    ]
    return out


def declined_and_unmet(t: Tables, country: str | None = None) -> pd.DataFrame:
    """Offers turned down and requests not met: money that did not flow as asked or offered."""
    f = financing_rows(t, country=country)
    return f[f["status_group"] != "funded or committed"].reset_index(drop=True)


def money_conflicts(t: Tables, country: str | None = None) -> pd.DataFrame:
    """Rows on each side of a disagreement about who financed or provided something.

    Included: disagreements that financing rows point to, and those of the systems the money paid for where the
    sides name different vendors. Columns: conflict_id, topic, summary, table, row_id, claim, plus evidence fields.
    Rows come grouped by disagreement (financing rows first, then systems, each in table order).
    """
    fin = financing_rows(t)
    dep = t["deployments"]
    linked = dep[dep["deployment_id"].isin(fin["deployment_id"].dropna()) & dep["conflict_id"].notna()]
    ids = list(dict.fromkeys(fin["conflict_id"].dropna()))
    # Systems' disagreements where every side names a vendor and the vendors differ (one groupby, no loop).
    cand = dep[dep["conflict_id"].isin(linked["conflict_id"])]
    if len(cand):
        stats = cand.groupby("conflict_id", sort=False).agg(n=("conflict_id", "size"),
                                                            named=("vendor_id", "count"),
                                                            vendors=("vendor_id", "nunique"))
        known = set(ids)
        ids += [cid for cid, n, named, vendors in zip(stats.index, stats["n"], stats["named"], stats["vendors"],
                                                      strict=True)
                if n > 1 and vendors > 1 and named == n and cid not in known]
    ents = dict(zip(t["entities"]["entity_id"], t["entities"]["name"], strict=True))
    d = t["disagreements"].set_index("conflict_id")
    keep = ["source_id", "quote", "locator", "evidence", "conflict_id", "caveat"]
    rank = {cid: k for k, cid in enumerate(ids)}
    f = fin[fin["conflict_id"].isin(rank)]
    f_claims = [f"{kind.capitalize()} of {amount}; lender or funder: {lender}"
                for kind, amount, lender in zip(f["kind"], f["amount_text"], f["lender"], strict=True)]
    s = dep[dep["conflict_id"].isin(rank)]
    s_claims = [f"{system.capitalize()} ({status}), vendor: "
                + (ents.get(vid, "vendor not named") if vid else "vendor not named")
                for system, status, vid in zip(s["system_type"], s["status"], s["vendor_id"], strict=True)]
    parts = [
        pd.DataFrame({"table": "financing", "row_id": f["financing_id"].to_numpy(),
                      "country_iso3": f["country_iso3"].to_numpy(), "claim": f_claims,
                      **{k: f[k].to_numpy() for k in keep}, "_t": 0}),
        pd.DataFrame({"table": "deployments", "row_id": s["deployment_id"].to_numpy(),
                      "country_iso3": s["country_iso3"].to_numpy(), "claim": s_claims,
                      **{k: s[k].to_numpy() for k in keep}, "_t": 1}),
    ]
    out = pd.concat(parts, ignore_index=True)
    out = out.assign(_r=out["conflict_id"].map(rank)).sort_values(["_r", "_t"], kind="stable")
    out = out[["table", "row_id", "country_iso3", "claim", *keep]].astype(object).reset_index(drop=True)
    out = out.where(out.notna(), None)  # empty text stays None, never the string 'nan'
    out["topic"] = out["conflict_id"].map(d["topic"])
    out["summary"] = out["conflict_id"].map(d["summary"])
    return filter_conflicts(out, country)


def filter_conflicts(rows: pd.DataFrame, country: str | None = None) -> pd.DataFrame:
    """The disagreements of money_conflicts with at least one side in a country (ISO-3; None: all), both sides
    kept. Lets a page filter the once-computed rows instead of rebuilding them for every filter."""
    if country:
        rows = rows[rows["conflict_id"].isin(rows.loc[rows["country_iso3"] == country, "conflict_id"])]
    return rows.reset_index(drop=True)
