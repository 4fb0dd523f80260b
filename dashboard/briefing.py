"""The briefing under its old import path: the slides are dashboard.views.briefing's (Slide is a View)."""

from __future__ import annotations

from dashboard.views import EVIDENCE_COLS, SLIDE_ROWS, SOURCES_NAMED, View, as_of, first_placed, first_rows, rows
from dashboard.views.briefing import SLIDES, slide, slides

Slide = View

__all__ = ["EVIDENCE_COLS", "SLIDES", "SLIDE_ROWS", "SOURCES_NAMED", "Slide", "as_of", "first_placed", "first_rows",
           "rows", "slide", "slides"]
