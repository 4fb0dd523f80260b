"""Cameras and markets transforms: camera counts, the market's growth, Hikvision's owners and share, and the
detention estimates (pure: tables in, DataFrames out)."""

from __future__ import annotations

import pandas as pd

from dashboard import editorial, fmt
from dashboard.transforms.links import Tables

TOPICS = editorial.TOPICS
TOPIC_LABELS = editorial.TOPIC_LABELS


def figure_text(value, unit: str, qualifier: str | None = None) -> str:
    """An indicator as a reader should quote it, hedge first: 'more than 20 million', 'around 42%'."""
    return fmt.quantity(value, unit, qualifier, with_unit=unit in ("countries and regions", "providers"))


def _figure_texts(values, units, qualifiers) -> list[str]:
    """figure_text for each row, worked out once per distinct (value, unit, qualifier): replicated figures repeat."""
    keys = list(zip(values, units, qualifiers, strict=True))
    done = {}
    for k in keys:
        if k not in done:
            done[k] = figure_text(*k)
    return [done[k] for k in keys]


def indicator_rows(t: Tables, topic: str | None = None) -> pd.DataFrame:
    """Indicators of one topic (or of TOPICS when None), with the figure in words and a projection flag."""
    i = t["indicators"].copy()
    i = i[i["topic"] == topic] if topic else i[i["topic"].isin(TOPICS)]
    i["text"] = _figure_texts(i["value"], i["unit"], i["qualifier"])
    i["projection"] = i["name"].str.contains("projection", case=False) | i["caveat"].fillna("").str.contains(
        "projection", case=False)
    i["year_text"] = i["year"].map(lambda y: fmt.year_month(y, missing="year not given"))
    i["card_label"] = i["indicator_id"].map(editorial.CARD_LABELS).fillna(i["name"])
    # On a card the unit is in the label, so the value stays short: 'more than 150', not '... countries and regions'.
    i["card_value"] = _figure_texts(i["value"], i["unit"].where(~i["unit"].isin(["countries and regions", "providers"]),
                                                                "count"), i["qualifier"])
    return i.reset_index(drop=True)


def camera_counts(t: Tables) -> pd.DataFrame:
    """Camera counts (unit 'cameras'): China vs US in 2017, Skynet, and the 2020 projection, flagged as such."""
    i = indicator_rows(t, "cameras")
    i = i[i["unit"] == "cameras"].copy()
    i["label"] = i["indicator_id"].map(editorial.CAMERA_LABELS).fillna(i["name"])
    i["order"] = i["projection"].astype(int)
    return i.sort_values(["order", "value"], ascending=[True, False]).drop(columns="order").reset_index(drop=True)


def market_growth(t: Tables) -> pd.DataFrame:
    """Growth of the professional video-surveillance market: China vs the rest of the world."""
    i = indicator_rows(t, "market")
    i = i[i["indicator_id"].str.contains("growth")].copy()
    i["label"] = i["geography"].map(editorial.GEOGRAPHY_LABELS).fillna(i["geography"])
    return i.sort_values("value", ascending=False).reset_index(drop=True)


def hikvision_shares(t: Tables) -> pd.DataFrame:
    """Hikvision's percent figures: ownership (state-owned enterprises, CETHIK) and global market share."""
    i = indicator_rows(t, "company")
    i = i[(i["entity_id"] == editorial.HIKVISION) & (i["unit"] == "percent")].copy()
    i["label"] = i["indicator_id"].map(editorial.HIKVISION_LABELS).fillna(i["name"])
    i["kind"] = ["market share" if "global" in n.lower() else "ownership" for n in i["name"]]
    return i.sort_values(["kind", "value"], ascending=[False, False]).reset_index(drop=True)


def detention_estimates(t: Tables) -> pd.DataFrame:
    """Each source's estimate of people detained in Xinjiang, side by side (they disagree; none is preferred)."""
    i = t["indicators"]
    i = i[(i["topic"] == "detention") | (i["conflict_id"] == editorial.DETENTION_CONFLICT)].copy()
    i["text"] = [figure_text(v, u, q) for v, u, q in zip(i["value"], i["unit"], i["qualifier"], strict=True)]
    src = t["sources"]
    who = {sid: (pub or auth or "") for sid, pub, auth in zip(src["source_id"], src["publisher"], src["author"],
                                                              strict=True)}
    i["source"] = [sid.replace("seed-", "Seed ") + (f" ({who[sid]})" if who.get(sid) else "") for sid in i["source_id"]]
    return i.sort_values(["value", "source_id"], ascending=[False, True]).reset_index(drop=True)
