"""The project's editorial choices, in one place: which records a page features, and the short labels it gives them.

Everything here names rows of data/ by id or adds words the documents do not contain (labels, short notes); no
figure lives here. A record id that is missing from the data is skipped by its user, never an error. Orders the
data itself defines (the five Central Asian states, the kinds of an action's dates) are read from the package,
not listed here.
"""

from __future__ import annotations

# ---- Money and debt

# The five Central Asian states, in the order every chart and filter lists them (shown even with nothing documented,
# so a blank reads as "no figure", not as a missing country).
CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")

# Dushanbe's Safe City: the deployment whose funding two sources tell differently (the Money page's section 2 and a
# briefing slide), and the disagreement about its lender, shown once there rather than again in section 5.
DUSHANBE = "tj-dushanbe-safe-city"
DUSHANBE_LENDER_CONFLICT = "dushanbe-lender"
# Short words on a bar where the amount is not simply "the money lent": the caveat behind them is in the quote panel.
AMOUNT_NOTES = {
    "cn-world-bank-xinjiang-programme": "whole schools programme, over five years",
    "kg-bishkek-huawei-offer": "offer turned down",
    "uz-tashkent-deal-2019": "counterparty not named; weakly cited",
    "kg-at-bashi-logistics": "agreed, then protested",
}
# How each side of a disagreement is named on screen (falls back to the source's publisher).
SIDE_LABELS = {
    "seed-002": "As the Caspian Policy Center brief tells it",
    "rec-aiddata-46215-71411": "As AidData records it",
}

# ---- Cameras and markets

TOPICS = ("cameras", "market", "company")
TOPIC_LABELS = {"all": "All", "cameras": "Cameras", "market": "Market", "company": "Hikvision"}
CARD_LABELS = {
    "cn-cameras-2017": "Surveillance cameras in China",
    "us-cameras-2017": "Surveillance cameras in the US",
    "cn-skynet-2017": "Skynet cameras in public spaces",
    "cn-new-cameras-by-2020": "New cameras by 2020 (projection)",
    "dushanbe-match-threshold": "Dushanbe's face-match threshold",
    "cn-market-share-global-revenue": "China's share of global revenue",
    "cn-market-growth-2017": "Growth of China's market",
    "row-market-growth-2017": "Growth, rest of the world",
    "hikvision-global-share-2017": "Hikvision's global market share",
    "hikvision-value": "Hikvision's size as a business",
    "hikvision-soe-control": "Hikvision controlled by state firms",
    "hikvision-cethik-stake": "Stake of CETHIK, biggest holder",
    "hikvision-countries": "Countries and regions using Hikvision",
    "hikvision-founded": "Hikvision founded",
}
CAMERA_LABELS = {
    "cn-cameras-2017": "China, all cameras",
    "us-cameras-2017": "United States, all cameras",
    "cn-skynet-2017": "China, Skynet public-space cameras",
    "cn-new-cameras-by-2020": "China, new cameras by 2020 (projection)",
}
# The two counts the cameras chart's title compares.
CN_CAMERAS, US_CAMERAS = "cn-cameras-2017", "us-cameras-2017"
MARKET_SHARE = "cn-market-share-global-revenue"  # China's revenue share, noted on the market-growth chart
HIKVISION = "hikvision"  # the market leader the Markets page profiles (and the Companies page opens on)
HIKVISION_LABELS = {
    "hikvision-soe-control": "Share of Hikvision controlled by state-owned enterprises",
    "hikvision-cethik-stake": "Share owned by China Electronics Technology HIK Group (CETHIK), its biggest shareholder",
    "hikvision-global-share-2017": "Hikvision's share of the global CCTV market (2017)",
}
HIKVISION_SOE, HIKVISION_MARKET = "hikvision-soe-control", "hikvision-global-share-2017"  # the Hikvision title's pair
DETENTION_CONFLICT = "detention-estimate"
GEOGRAPHY_LABELS = {"CHN": "China", "Rest of world": "Rest of the world"}  # indicators.geography, as a bar's label

# ---- Overview: five single cited figures, each read from one row (key, table, row id)

HEADLINES = [
    ("cameras", "deployments", "kz-nur-sultan-huawei-cameras"),
    ("cost", "deployments", DUSHANBE),
    ("debt", "debt", "tjk-chinese-banks"),
    ("listing", "actions", "us-el-xinjiang-2019"),
    ("offer", "financing", "kg-bishkek-huawei-offer"),
]

# ---- Sanctions

# Which of an action's dates says since when it binds, best first: in force (effective) over signed over published
# over announced; "passed" (a chamber's vote) last. The chronological order of the kinds is the schema's enum.
DATE_PREFERENCE = ("effective", "signed", "published", "announced", "passed")
