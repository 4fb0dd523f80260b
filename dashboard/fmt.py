"""The one place numbers, money, dates, date precision and the sources' hedges become text.

Every page, chart, view and export calls these, so one record reads the same everywhere: Dushanbe's cost is
"US$22 million" on the map, in a table and on a slide, and its cameras are "more than 855" wherever they appear.
Figures are never rounded: a value shown in millions or billions is exact to the digits shown, or it is written out.
A hedge the source puts on a figure (the data's *_qualifier columns: "more than", "about", "around") always comes
with it; a figure the documents do not give reads "not given", never 0 or "nan".
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

NOT_GIVEN = "not given"
SCALES = ((1e9, "billion"), (1e6, "million"))
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_SMALL = {2: "twice", 3: "three times", 4: "four times", 5: "five times", 6: "six times", 7: "seven times",
          8: "eight times", 9: "nine times", 10: "ten times"}


def given(v) -> bool:
    """True for a real value; False for None, NaN, NaT, pd.NA, infinity and blank text."""
    if v is None or v is pd.NA or v is pd.NaT:
        return False
    if isinstance(v, str):
        return bool(v.strip())
    if isinstance(v, float) and math.isinf(v):  # no document states an infinite figure
        return False
    try:
        return not pd.isna(v)
    except (TypeError, ValueError):  # a list or array is a value
        return True


def hedge(qualifier, text: str) -> str:
    """The source's hedge before a figure: hedge('more than', '855') -> 'more than 855'."""
    return f"{str(qualifier).strip()} {text}" if given(qualifier) else text


def number(v, *, missing: str = NOT_GIVEN) -> str:
    """A figure as stored: thousands separators, the decimals the data has (never rounded)."""
    if not given(v):
        return missing
    f = float(v)
    if f.is_integer():
        return f"{int(f):,}"
    return f"{f:,.6f}".rstrip("0").rstrip(".")


def scaled(v, *, missing: str = NOT_GIVEN) -> str:
    """A large figure in words where exact to three decimals: 22000000 -> '22 million', 1.1e9 -> '1.1 billion';
    otherwise written out in full (855, 20,912,345)."""
    if not given(v):
        return missing
    f = float(v)
    for scale, word in SCALES:
        if abs(f) >= scale and round(f / scale, 3) * scale == f:
            return f"{number(f / scale)} {word}"
    return number(f)


def money(v, qualifier=None, *, missing: str = "amount not given") -> str:
    """US dollars: 'US$22 million', 'US$20.9 million', 'US$1 billion', 'about US$5,000'."""
    if not given(v):
        return missing
    return hedge(qualifier, f"US${scaled(v)}")


def percent(v, qualifier=None, *, missing: str = NOT_GIVEN) -> str:
    """'about 50%', '42%'."""
    if not given(v):
        return missing
    return hedge(qualifier, f"{number(v)}%")


def count(v, unit: str | None = None, qualifier=None, *, missing: str = NOT_GIVEN) -> str:
    """A counted figure with its unit and hedge: 'more than 855 cameras', 'more than 20 million cameras'."""
    if not given(v):
        return missing
    core = scaled(v)
    return hedge(qualifier, f"{core} {unit}" if unit else core)


def quantity(v, unit: str, qualifier=None, *, with_unit: bool = False, missing: str = NOT_GIVEN) -> str:
    """A value in one of the data's units (indicators.unit): percent, USD, year, or a count (its unit named after
    the number with with_unit: 'more than 150 countries and regions')."""
    if not given(v):
        return missing
    if unit == "percent":
        return percent(v, qualifier)
    if unit == "USD":
        return money(v, qualifier)
    if unit == "year":
        return hedge(qualifier, str(int(float(v))))
    return count(v, unit if with_unit and unit else None, qualifier)


def times(ratio: float) -> str:
    """'more than three times', 'twice', '1.5 times': a ratio in words without overstating it."""
    if not given(ratio):
        return NOT_GIVEN
    whole = math.floor(ratio)
    if whole in _SMALL:
        return _SMALL[whole] if ratio == whole else f"more than {_SMALL[whole]}"
    return f"{number(round(ratio, 1))} times"


# ---- dates

PRECISIONS = ("day", "month", "quarter", "year")


def precision(year=None, month=None, day=None) -> str | None:
    """How precise a date the data holds: 'day', 'month', 'year', or None when it has no year."""
    if not given(year):
        return None
    if not given(month):
        return "year"
    return "day" if given(day) else "month"


def date(value=None, *, year=None, month=None, day=None, precision_: str | None = None,
         missing: str = NOT_GIVEN) -> str:
    """A date at the precision the data holds, never more: '2019-10-09', '2019-10', '2019 Q4', '2019'.

    value: a full date (Timestamp, datetime or ISO text); or year/month/day parts. precision_ forces a coarser
    precision ('quarter' reads the month as the quarter it falls in)."""
    if given(value):
        ts = pd.Timestamp(value)
        year, month, day = ts.year, ts.month, ts.day
    kind = precision_ or precision(year, month, day)
    if kind is None or not given(year):
        return missing
    y = int(float(year))
    if kind == "year" or not given(month):
        return f"{y}"
    m = int(float(month))
    if kind == "quarter":
        return f"{y} Q{(m - 1) // 3 + 1}"
    if kind == "month" or not given(day):
        return f"{y}-{m:02d}"
    return f"{y}-{m:02d}-{int(float(day)):02d}"


def month_name(month) -> str:
    return _MONTHS[int(float(month)) - 1] if given(month) else ""


def year_month(year, month=None, *, missing: str = "date not given") -> str:
    """'2013', '2019-10', or the words for no date."""
    return date(year=year, month=month, missing=missing)


def as_written(text) -> str:
    """A partial date the source gives in words, quoted as written: '“August 2020” (partial date)'."""
    return f"“{text}” (partial date)" if given(text) else NOT_GIVEN


# ---- the schema's own orders

def enum(descriptor: Mapping, table: str, field: str) -> tuple[str, ...]:
    """A field's allowed values in the order datapackage.json lists them (the data's own order, e.g. date kinds in
    the order an action's steps happen: announced, passed, signed, published, effective)."""
    res = next(r for r in descriptor["resources"] if r["name"] == table)
    fld = next(f for f in res["schema"]["fields"] if f["name"] == field)
    return tuple(fld.get("constraints", {}).get("enum", ()))


# ---- a record's figures, the same words wherever the record appears

def deployment_figures(row) -> list[str]:
    """A deployment row's figures, each with its hedge: 'more than 855 cameras', 'US$22 million'."""
    bits = []
    if given(row.get("cameras_installed")):
        bits.append(count(row["cameras_installed"], "cameras", row.get("cameras_installed_qualifier")))
    if given(row.get("cameras_facial_recognition")):
        bits.append(f"{count(row['cameras_facial_recognition'])} with facial recognition")
    if given(row.get("cameras_planned")):
        bits.append(f"{count(row['cameras_planned'], 'cameras')} planned")
    if given(row.get("cost_usd")):
        bits.append(money(row["cost_usd"]))
    return bits
