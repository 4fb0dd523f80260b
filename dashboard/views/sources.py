"""Sources views: the documents the data cites, with how many records cite each."""

from __future__ import annotations

import pandas as pd

from dashboard import fmt
from dashboard.data import Dataset
from dashboard.transforms import sources
from dashboard.views import View, link, make


def documents(ds: Dataset) -> View:
    """Every document, its kind, date, licence and the number of records citing it (a table; evidence: none)."""
    counts = sources.citation_counts(ds)
    table = pd.DataFrame({
        "Document": counts["source_id"],
        "Title": counts["title"],
        "Kind": counts["kind"],
        "Date": counts["date_published"].map(fmt.date),
        "Records": counts["records"].astype(int),
        "Publisher": counts["publisher"].fillna("not named"),
        "Author": counts["author"].fillna("not named"),
        "Licence": counts["licence"],
        "Notes": counts["notes"].fillna(""),
    })
    return make("documents", None, pd.DataFrame(columns=["table", "row_id", "source_id", "quote", "locator",
                                                         "conflict_id"]),
                link("sources"), ds, table=table, title=f"The {len(table):,} documents the data cites",
                source="data/sources.csv",
                alt=f"Table of {len(table):,} documents with their kind, date, licence and how many records cite "
                    "each.")
