"""Overview views: the headline figures, each read from one cited row."""

from __future__ import annotations

import pandas as pd

from dashboard.data import Dataset
from dashboard.transforms import money, sources
from dashboard.views import View, evidence, link, make


def headlines(ds: Dataset) -> View:
    """Single cited figures (never a sum of sources that disagree); table: label, value, note and the evidence."""
    heads = sources.headline_figures(ds)
    ev = pd.DataFrame({"table": heads.get("table", []), "row_id": heads.get("record_id", []),
                       "source_id": heads.get("source_id", []), "quote": heads.get("quote", []),
                       "locator": heads.get("locator", []), "conflict_id": heads.get("conflict_id", [])})
    return make("headline-figures", None, evidence(ev), link("overview"), ds, table=heads,
                title="Headline figures", source=money.sources_text(ds, ev["source_id"]),
                alt=f"{len(heads):,} single figures, each from one cited sentence: "
                    + "; ".join(f"{lab}: {val}" for lab, val in zip(heads.get("label", []), heads.get("value", []),
                                                                    strict=True)))
