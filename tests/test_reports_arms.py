"""The country pages' arms section (pipelines/reports/arms.py) on a small hand-made frame."""

from __future__ import annotations

import pandas as pd

from pipelines.reports import arms
from pipelines.reports.data import ReportData

COUNTRIES = pd.DataFrame(
    {
        "ccode": [2, 365, 704, 710],
        "iso3": ["USA", "RUS", "UZB", "CHN"],
        "country": ["United States of America", "Russia", "Uzbekistan", "China"],
    }
)
COVERAGE = pd.DataFrame({"source_id": ["sipri_arms"], "first_year": [1950], "last_year": [2025]})


def _data(rows: list[tuple]) -> ReportData:
    columns = [
        "supplier_ccode",
        "recipient_ccode",
        "year",
        "tiv_delivered",
        "tiv_delivered_uncertain",
        "n_orders",
        "tiv_ordered",
        "weapon_categories_delivered",
    ]
    frames = {
        "arms_transfers": pd.DataFrame(rows, columns=columns),
        "countries": COUNTRIES,
        "source_coverage": COVERAGE,
    }
    return ReportData(frames=frames, manifest={}, sources=[], config=None)


def test_suppliers_table_sums_the_last_ten_years_and_shares():
    data = _data(
        [
            # Russia -> Uzbekistan: 10 in 2015 (before the 2016-2025 window), 30 in 2016-2017
            (365, 704, 2015, 10.0, False, 0, 0.0, "aircraft"),
            (365, 704, 2016, 20.0, False, 1, 40.0, "aircraft"),
            (365, 704, 2017, 10.0, True, 0, 0.0, "armoured vehicles"),
            # China -> Uzbekistan: 10 in 2019, one order in 2024 not yet delivered
            (710, 704, 2019, 10.0, False, 0, 0.0, "air defence systems"),
            (710, 704, 2024, 0.0, False, 1, 5.0, None),
            # Uzbekistan exports nothing; the US supplies Russia (not Uzbekistan's business)
            (2, 365, 2020, 5.0, False, 0, 0.0, "engines"),
        ]
    )
    section = arms.country_arms(data, 704)["arms"]
    suppliers = section["suppliers"]
    assert (suppliers["first"], suppliers["last"]) == (2016, 2025)
    # 30 of 40 TIV from Russia (75 %), 10 from China (25 %); orders in the window: 1 and 1
    assert [
        (r["name"], r["tiv"], r["share"], r["years"], r["orders"], r["uncertain"])
        for r in suppliers["rows"]
    ] == [
        ("Russia", 30.0, 75.0, "2016\u20132017", 1, True),
        ("China", 10.0, 25.0, "2019", 1, False),
    ]
    assert suppliers["rows"][0]["categories"] == "aircraft, armoured vehicles"
    assert section["recipients"]["rows"] == []


def test_chart_stacks_each_supplier_per_year_without_inventing_years():
    data = _data(
        [
            (365, 704, 2015, 10.0, False, 0, 0.0, "aircraft"),
            (710, 704, 2017, 4.0, False, 0, 0.0, "aircraft"),
        ]
    )
    figures = arms.country_arms(data, 704)["arms_figures"]
    assert [f["id"] for f in figures] == ["arms_imports"]
    traces = {t["name"]: t for t in figures[0]["figure"]["data"]}
    assert traces["Russia"]["x"] == [2015, 2016, 2017]
    # 2016 had no delivery from anyone: 0 inside the state's delivery years
    assert traces["Russia"]["y"] == [10, 0, 0]
    assert traces["China"]["y"] == [0, 0, 4]


def test_no_sipri_frame_means_no_section():
    data = _data([])
    del data.frames["arms_transfers"]
    assert arms.country_arms(data, 704) == {"arms": None, "arms_figures": []}
