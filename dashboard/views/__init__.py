"""Views: one function per figure or table a reader sees, returning everything any output needs (a View).

Every output (the pages, the briefing slides, the image exports, the briefing pack, the deck) calls these; no figure
recipe exists anywhere else. A view is a pure function of (dataset, filters, present): pages memoise it with
loaders.derive.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go

from dashboard.data import Dataset


@dataclass(frozen=True)
class View:
    slug: str                 # file-name stem naming the view, e.g. "loans-deals-offers" or "money-kyrgyzstan"
    figure: go.Figure | None  # None for a table-only view
    title: str                # the finding, as the chart's title
    source: str               # the source line ("Source: …"), as drawn inside the figure
    alt: str                  # one-sentence alt text / summary of what the chart shows
    evidence: pd.DataFrame    # the rows it rests on: table, row_id, source_id, quote, locator (+ conflict_id)
    link: str = ""            # the view's own page + query, e.g. "/money?country=KGZ" (reopens the exact view)
    as_of: str = ""           # the data's date
    table: pd.DataFrame | None = None  # what a table view shows, in the reader's columns (None for a chart)


EVIDENCE_COLS = ["table", "row_id", "source_id", "quote", "locator", "conflict_id"]
# A slide is one 1280x720 image: it draws at most this many rows (the first ones, as a page's first page does), about
# as many as the real data's fullest slide (11 loans, 10 dated actions), so a slide at scale reads like the real one.
# Its title still reads every row and its evidence lists every row; the real data never reaches the cap.
SLIDE_ROWS = 12
SOURCES_NAMED = 3  # a paged chart's source line names this many sources and counts the rest


def as_of(ds: Dataset) -> str:
    return ds.descriptor.get("created", "")[:10]


def rows(df: pd.DataFrame, table: str, id_col: str) -> pd.DataFrame:
    """The evidence columns of some rows, labelled with their table, for a view's citation list."""
    cols = [id_col, "source_id", "quote", "locator"] + (["conflict_id"] if "conflict_id" in df else [])
    out = df[cols].rename(columns={id_col: "row_id"}).copy()
    out.insert(0, "table", table)
    if "conflict_id" not in out:
        out["conflict_id"] = None
    return out.reset_index(drop=True)


def evidence(*parts: pd.DataFrame) -> pd.DataFrame:
    """Several tables' evidence rows as one frame with the standard columns."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=EVIDENCE_COLS)
    return pd.concat(parts, ignore_index=True)[EVIDENCE_COLS]


def first_rows(n: int) -> tuple[int, int] | None:
    """shown=(0, SLIDE_ROWS) for a chart builder when n rows would not fit on a slide; None (all rows) otherwise."""
    return (0, SLIDE_ROWS) if n > SLIDE_ROWS else None


def first_placed(placed: pd.Series) -> tuple[int, int] | None:
    """Like first_rows for the timeline, which draws only actions placed on its axis (the rest are listed in words):
    the first rows holding SLIDE_ROWS placed actions, or None when all of them fit."""
    flags = placed.fillna(False).astype(bool).to_numpy()
    if flags.sum() <= SLIDE_ROWS:
        return None
    return (0, int(flags.nonzero()[0][SLIDE_ROWS - 1]) + 1)


def link(page: str, **params) -> str:
    """'/page?k=v' with the view's non-default filters (None, '', 'all' and empty lists are left out)."""
    q = {k: (",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)) for k, v in params.items()
         if v not in (None, "", "all", (), [])}
    return f"/{page}" + (f"?{urlencode(q)}" if q else "")


def make(slug: str, figure: go.Figure | None, ev: pd.DataFrame, link_: str, ds: Dataset, *, title: str = "",
         source: str = "", alt: str = "", table: pd.DataFrame | None = None) -> View:
    """A View whose title, source line and alt text are the ones drawn in its figure (layout.meta)."""
    meta = (figure.layout.meta or {}) if figure is not None else {}
    return View(slug=slug, figure=figure, title=title or meta.get("title", ""), source=source or meta.get("source", ""),
                alt=alt or meta.get("alt", ""), evidence=ev, link=link_, as_of=as_of(ds), table=table)
