"""Compatibility: the briefing's old import path (dashboard.views.briefing is the real one; Slide is a View).

Kept only until every branch that imports it has landed; new code imports dashboard.views.briefing.
"""

from __future__ import annotations

from dashboard.views import EVIDENCE_COLS, SLIDE_ROWS, SOURCES_NAMED, View, as_of, first_placed, first_rows, rows
from dashboard.views.briefing import SLIDES, slide, slides

Slide = View

__all__ = ["EVIDENCE_COLS", "SLIDES", "SLIDE_ROWS", "SOURCES_NAMED", "Slide", "as_of", "first_placed", "first_rows",
           "rows", "slide", "slides"]
