"""Views: one function per figure or table a reader sees, returning everything any output needs (a View)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go


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

    @property
    def finding(self) -> str:
        """The one-sentence summary under its pre-View name (dashboard.briefing.Slide.finding)."""
        return self.alt
