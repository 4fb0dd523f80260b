"""Make data and URL text safe to show: Markdown and HTML in it display as text, never as markup."""

from __future__ import annotations

import re

_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=^])")


def md(text) -> str:
    """Escape every Markdown-significant character (CommonMark lets any ASCII punctuation be escaped).

    Streamlit's Markdown also treats `:name:` (emoji, icons, colours) and `$...$` (LaTeX) specially, and would
    fetch an image for `![](http://...)`; escaping the punctuation defuses all of them.
    """
    if text is None:
        return ""
    return _PUNCT.sub(r"\\\1", str(text)).replace("\n", " ")
