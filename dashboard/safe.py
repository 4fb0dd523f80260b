"""Make data and URL text safe to show: Markdown and HTML in it display as text, never as markup."""

from __future__ import annotations

import re

_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=^])")
# Invisible direction controls (LRM/RLM, embeddings, overrides, isolates) reorder the text after them on screen.
BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_bidi(text: str) -> str:
    """Text without bidi control characters (the data package rejects them; URL text and the rest lose them)."""
    return BIDI.sub("", text)


def md(text) -> str:
    """Escape every Markdown-significant character (CommonMark lets any ASCII punctuation be escaped).

    Streamlit's Markdown also treats `:name:` (emoji, icons, colours) and `$...$` (LaTeX) specially, and would
    fetch an image for `![](http://...)`; escaping the punctuation defuses all of them.
    """
    if text is None:
        return ""
    return _PUNCT.sub(r"\\\1", strip_bidi(str(text))).replace("\n", " ")
