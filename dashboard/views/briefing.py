"""The briefing: the key views in presenting order (each a View from its page's module)."""

from __future__ import annotations

from collections.abc import Callable

from dashboard import briefing as _old
from dashboard.data import Dataset
from dashboard.views import View

LINKS = {
    "central-asia-map": "/map", "loans-deals-offers": "/money", "dushanbe-funding": "/money",
    "debt-to-china": "/money", "sanctions-timeline": "/sanctions", "entity-list-growth": "/sanctions",
    "cameras-china-us": "/markets", "hikvision-ownership-share": "/markets",
}


def _wrap(build):
    def view(ds: Dataset, *, present: bool = False) -> View:
        s = build(ds, present)
        return View(slug=s.slug, figure=s.figure, title=s.title, source=s.source, alt=s.finding,
                    evidence=s.evidence, link=LINKS.get(s.slug, ""), as_of=_old.as_of(ds))
    view.__qualname__ = view.__name__ = build.__name__.lstrip("_")
    return view


# Presenting order: (slug, view function(ds, *, present) -> View).
SLIDES: list[tuple[str, Callable[..., View]]] = [(slug, _wrap(build)) for slug, build in _old.SLIDES]


def slides(ds: Dataset, present: bool = True) -> list[View]:
    return [fn(ds, present=present) for _, fn in SLIDES]


def slide(ds: Dataset, index: int, present: bool = True) -> View:
    return SLIDES[index][1](ds, present=present)
