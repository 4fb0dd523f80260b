"""Companies views: the vendors documented in Central Asia and their first US listing."""

from __future__ import annotations

import pandas as pd

from dashboard import fmt
from dashboard.data import Dataset
from dashboard.memo import derive
from dashboard.transforms import companies
from dashboard.views import View, evidence, link, make, rows


def vendors(ds: Dataset) -> View:
    """The vendor table as a reader scans it; View.evidence: the Central Asian deployment rows it counts."""
    table = companies.ca_vendor_table(ds, index=derive(ds, companies.entity_index))
    shown = pd.DataFrame({
        "Vendor": table["vendor"],
        "Central Asian countries": table["ca_countries"],
        "US-listed since": table["listed_since"].map(lambda d: fmt.date(d, missing="not listed")),
        "Date is": table["date_kind"].fillna(""),
        "First US action": table["first_us_action"],
        "Records": table["records"].astype(int),
        "Based in": table["based_in"],
    })
    dep = ds["deployments"]
    dep = dep[dep["vendor_id"].isin(table["entity_id"])]
    listed = int(table["first_action_id"].notna().sum()) if len(table) else 0
    return make("ca-vendors", None, evidence(rows(dep, "deployments", "deployment_id")), link("companies"), ds,
                table=shown, title=f"{listed:,} of {len(table):,} vendors documented in Central Asia are on a US list",
                source="see Sources",
                alt=f"Table of {len(table):,} vendors documented in Central Asia, with the date each was first named "
                    "by a US listing in force.")
