"""The briefing: the key views in presenting order, as slides (each a page's own view, drawn to fit one slide)."""

from __future__ import annotations

from collections.abc import Callable

from dashboard.data import Dataset
from dashboard.memo import derive
from dashboard.transforms import markets as mk
from dashboard.transforms import money as mx
from dashboard.transforms import sanctions as sx
from dashboard.views import View, first_placed, first_rows, markets, money, sanctions
from dashboard.views import geo as vmap


# A slide shows a page's view as it first opens; a long list draws its first rows only (SLIDE_ROWS), as a page's
# first page does, so a slide at scale reads like the real one.
def _map(ds: Dataset, *, present: bool = True) -> View:
    return vmap.central_asia(ds, present=present)


def _financing(ds: Dataset, *, present: bool = True) -> View:
    return money.financing(ds, present=present, shown=first_rows(len(derive(ds, mx.financing_rows))))


def _timeline(ds: Dataset, *, present: bool = True) -> View:
    placed = derive(ds, sx.actions_table, [], [])["placed_on_axis"]
    return sanctions.timeline(ds, present=present, window=first_placed(placed))


def _cameras(ds: Dataset, *, present: bool = True) -> View:
    return markets.cameras(ds, present=present, shown=first_rows(len(derive(ds, mk.camera_counts))))


def _hikvision(ds: Dataset, *, present: bool = True) -> View:
    return markets.hikvision(ds, present=present, shown=first_rows(len(derive(ds, mk.hikvision_shares))))


# Presenting order: (slug, view function(ds, *, present) -> View).
SLIDES: list[tuple[str, Callable[..., View]]] = [
    ("central-asia-map", _map),
    ("loans-deals-offers", _financing),
    ("dushanbe-funding", money.dushanbe),
    ("debt-to-china", money.debt),
    ("sanctions-timeline", _timeline),
    ("entity-list-growth", sanctions.entity_list),
    ("cameras-china-us", _cameras),
    ("hikvision-ownership-share", _hikvision),
]


def slides(ds: Dataset, present: bool = True) -> list[View]:
    return [fn(ds, present=present) for _, fn in SLIDES]


def slide(ds: Dataset, index: int, present: bool = True) -> View:
    return SLIDES[index][1](ds, present=present)
