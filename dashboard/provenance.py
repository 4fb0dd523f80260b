"""Find the figures a quote states, so a row's numbers can be checked against (and highlighted in) its words."""

from __future__ import annotations

import re
from datetime import date

WORDS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
}
SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]

_NUM = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(WORDS) + r")(?:\s+(thousand|million|billion))?\b",
    re.IGNORECASE,
)


def figures_in(text: str) -> set[float]:
    """Every number the text states, both as written and scaled: '$20.9 million' gives 20.9 and 20900000."""
    found: set[float] = set()
    for raw, scale in _NUM.findall(text or ""):
        low = raw.lower()
        if low in WORDS:
            if low == "a" and not scale:
                continue  # the article 'a' is a number only in 'a million'
            value = float(WORDS[low])
        else:
            value = float(raw.replace(",", ""))
        found.add(value)
        if scale:
            found.add(round(value * SCALE[scale.lower()], 2))
    # ISO dates such as 2019-10-09 also state their parts
    for y, m, d in re.findall(r"\b(\d{4})-(\d{2})-(\d{2})\b", text or ""):
        found.update({float(y), float(int(m)), float(int(d))})
    return found


def states_figure(text: str, value: float) -> bool:
    """Does the text state this figure (allowing for scaling words and thousands separators)?"""
    return round(float(value), 2) in figures_in(text)


def states_month(text: str, month: int) -> bool:
    """Does the text name this month, by name, abbreviation ('Oct.') or inside an ISO date?"""
    low = (text or "").lower()
    name = MONTHS[month - 1]
    if re.search(rf"\b{name}\b", low) or re.search(rf"\b{name[:3]}\.", low):
        return True
    return re.search(rf"\b\d{{4}}-{month:02d}\b", low) is not None


def states_date(text: str, when: date) -> bool:
    """Does the text state this full date, as an ISO date or as year, month and day?"""
    if when.isoformat() in (text or ""):
        return True
    return (
        states_figure(text, when.year) and states_month(text, when.month) and states_figure(text, when.day)
    )
