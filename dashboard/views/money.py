"""Money views: loans, deals and offers (by country and status), Dushanbe's two lenders, and public debt shares."""

from __future__ import annotations

from dashboard.charts.money import make_debt_figure, make_dushanbe_figure, make_financing_figure
from dashboard.data import Dataset
from dashboard.memo import derive
from dashboard.transforms import money
from dashboard.views import SOURCES_NAMED, View, as_of, evidence, link, make, rows

STATUS_KEYS = {"funded": "funded or committed", "declined": "declined offer", "not-met": "request not met"}
STATUS_SCOPE = {None: "all statuses", "funded or committed": "funded or committed",
                "declined offer": "offers declined", "request not met": "requests not met"}


def scope(ds: Dataset, country: str | None, group: str | None) -> str:
    names = money.country_names(ds)
    return f"{names.get(country, country) if country else 'all countries'}, {STATUS_SCOPE[group]}"


def financing(ds: Dataset, *, present: bool = False, country: str | None = None, status: str | None = None,
              shown: tuple[int, int] | None = None) -> View:
    """One bar per financing record, for a country (ISO-3) and status key (funded, declined, not-met; None: all).
    shown: draw only rows [first, last) of a long list (a page of bars); the title still reads every row."""
    country = None if country in (None, "", "all") else country
    group = STATUS_KEYS.get(status)
    # Cut from the full rows computed once per dataset (shared with the page): a new filter costs one mask.
    fin = money.filter_financing(derive(ds, money.financing_rows), country, group)
    # A page of bars cites its own rows' sources: a few named, the rest counted.
    cited = fin["source_id"] if shown is None else fin["source_id"].iloc[shown[0]:shown[1]]
    fig = make_financing_figure(fin, scope=scope(ds, country, group), present=present, as_of=as_of(ds),
                                source=money.sources_text(ds, cited, most=SOURCES_NAMED) or "see Sources",
                                shown=shown)
    slug = "loans-deals-offers" if not (country or group) else "-".join(
        ["loans", *([country.lower()] if country else []), *([status] if group else [])])
    return make(slug, fig, evidence(rows(fin, "financing", "financing_id")),
                link("money", country=country, status=status if group else None), ds)


def dushanbe(ds: Dataset, *, present: bool = False) -> View:
    """Dushanbe's Safe City as each source tells it: one stacked bar per source, never merged."""
    split = derive(ds, money.dushanbe_split)
    fig = make_dushanbe_figure(split, source=money.sources_text(ds, split["source_id"], most=SOURCES_NAMED),
                               as_of=as_of(ds), present=present)
    fin = ds["financing"][ds["financing"]["financing_id"].isin(split["financing_id"].dropna())]
    dep = ds["deployments"][ds["deployments"]["deployment_id"].isin(fin["deployment_id"].dropna())]
    return make("dushanbe-funding", fig, evidence(rows(fin, "financing", "financing_id"),
                                                  rows(dep, "deployments", "deployment_id")),
                link("money", country="TJK"), ds)


def debt_rows(ds: Dataset):
    """The debt rows of the Central Asian states (the chart's countries: only their rows stand behind it)."""
    debt = ds["debt"]
    return debt[debt["country_iso3"].isin(money.ca_order(ds))]


def debt_caveat(ds: Dataset) -> str:
    return "; ".join(dict.fromkeys(debt_rows(ds)["caveat"].dropna()))


def debt(ds: Dataset, *, present: bool = False) -> View:
    """Each Central Asian state's share of public debt owed to Chinese lenders; blank where no figure is given."""
    d = debt_rows(ds)
    fig = make_debt_figure(derive(ds, money.debt_shares), debt_caveat(ds),
                           source=money.sources_text(ds, d["source_id"]), as_of=as_of(ds), present=present)
    return make("debt-to-china", fig, evidence(rows(d, "debt", "debt_id")), link("money"), ds)
