"""SIPRI arms transfers, 360info exact TIV and military expenditure on SYNTHETIC fixture files.

Every expected value is worked out by hand from the rows in tests/fixture_data.py.
"""

from __future__ import annotations

import duckdb
import pytest

from pipelines.errors import InputFileError
from pipelines.loading import load_sources
from pipelines.models import build_models, create_macros, discover_models, upstream_of
from pipelines.settings import Settings
from tests.fixture_data import SIPRI_DEALS, sipri_milex_bytes, sipri_register_bytes, write_raw


def _built(settings: Settings, *targets: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_sources(con, settings)
    create_macros(con, settings.sql_dir)
    models = discover_models(settings.sql_dir)
    build_models(con, models, only=upstream_of(models, set(targets)))
    return con


def test_register_loads_latin1_after_the_preamble_with_flags(project):
    con = duckdb.connect()
    load_sources(con, project)
    rows = con.execute(
        """
        select _row_number, recipient, supplier, year_of_order_flag, number_ordered_flag,
            number_delivered_flag, comments
        from raw_sipri_arms__trade_register order by _row_number
        """
    ).fetchall()
    assert len(rows) == len(SIPRI_DEALS) == 7
    # Deal 1: '?' on the order year and the number ordered, none on the number delivered; the
    # latin-1 'ä' arrives as 'ä' (not mojibake).
    assert rows[0] == (1, "Uzbekistan", "Russia", "?", "?", None, "Wärtsilä engines")
    assert rows[1][3:6] == (None, None, "?")


def test_register_header_change_is_a_clear_error(tmp_path, monkeypatch):
    bad = sipri_register_bytes().replace(b"Year of order", b"Order year")
    write_raw(tmp_path / "raw", {"trade_register": bad})
    monkeypatch.setenv("COOP_ROOT", str(tmp_path))
    from pipelines.settings import PROJECT_ROOT, get_settings

    monkeypatch.setenv("COOP_SQL_DIR", str(PROJECT_ROOT / "sql"))
    monkeypatch.setenv("COOP_SEEDS_DIR", str(PROJECT_ROOT / "seeds"))
    with pytest.raises(
        InputFileError, match=r"register\.csv: header does not match.*Year of order"
    ):
        load_sources(duckdb.connect(), get_settings())


def test_deals_are_checked_and_quarantined_with_reasons(project):
    con = _built(project, "int_sipri_arms_deals_checked")
    rejects = con.execute(
        """
        select row_number, reject.rule, reject.column_name, reject.value
        from int_sipri_arms_deals_checked where reject is not null order by row_number
        """
    ).fetchall()
    assert rejects == [
        (6, "unresolved_name", "Recipient", "Freedonia"),
        (7, "not_a_number", "SIPRI TIV of delivered weapons", "ten"),
    ]
    kinds = con.execute(
        """
        select row_number, supplier_ccode, recipient_kind, recipient_ccode, is_state_deal,
            is_pending
        from int_sipri_arms_deals_checked where reject is null order by row_number
        """
    ).fetchall()
    assert kinds == [
        (1, 365, "state", 704, True, False),
        (2, 365, "state", 705, True, False),
        (3, 2, "state", 704, True, True),
        # Germany in 2014 is 255; the recipient is an armed group, kept apart
        (4, 255, "armed_group", None, False, False),
        # Czechoslovakia and the Soviet Union, by the overrides
        (5, 315, "state", 365, True, False),
    ]


def test_delivery_tiv_is_spread_evenly_over_the_listed_years(project):
    con = _built(project, "int_sipri_arms_deliveries_spread")
    spread = con.execute(
        """
        select row_number, year, tiv_delivered, number_delivered, number_delivered_uncertain
        from int_sipri_arms_deliveries_spread where row_number in (1, 2) order by row_number, year
        """
    ).fetchall()
    # Deal 1: 15 TIV and 6 helicopters over 2011, 2012, 2014 (2013 is not listed): 5 and 2 each.
    # Deal 2: 2 TIV and 4 vehicles over 2016, 2017: 1 and 2 each, the number flagged '?'.
    assert spread == [
        (1, 2011, 5.0, 2.0, False),
        (1, 2012, 5.0, 2.0, False),
        (1, 2014, 5.0, 2.0, False),
        (2, 2016, 1.0, 2.0, True),
        (2, 2017, 1.0, 2.0, True),
    ]
    # The pending order (deal 3) has no delivery row.
    assert con.execute(
        "select count(*) from int_sipri_arms_deliveries_spread where row_number = 3"
    ).fetchone() == (0,)


def test_dyad_years_carry_deliveries_orders_and_the_exact_tiv(project):
    con = _built(project, "int_sipri_arms_directed_dyad_years_aggregated")
    rows = con.execute(
        """
        select supplier_ccode, recipient_ccode, year, tiv_delivered, tiv_sipri_exact, n_orders,
            n_orders_pending, tiv_ordered, weapon_categories_delivered
        from int_sipri_arms_directed_dyad_years_aggregated
        order by supplier_ccode, recipient_ccode, year
        """
    ).fetchall()
    assert rows == [
        # the pending US order to Uzbekistan: an order in 2017, no delivery
        (2, 704, 2017, 0.0, None, 1, 1, 20.0, None),
        # deal 5 delivered 1990-1991, ordered 1989 (before the fixture coverage: not counted);
        # sipri_tiv has no row for it: exact 0 inside its years
        (315, 365, 1990, 2.0, 0.0, 0, 0, 0.0, "aircraft"),
        (315, 365, 1991, 2.0, 0.0, 0, 0, 0.0, "aircraft"),
        # deal 1 (ordered 2010): 5 a year against SIPRI's exact 4, 6, 5
        (365, 704, 2010, 0.0, 0.0, 1, 0, 15.0, None),
        (365, 704, 2011, 5.0, 4.0, 0, 0, 0.0, "aircraft"),
        (365, 704, 2012, 5.0, 6.0, 0, 0, 0.0, "aircraft"),
        (365, 704, 2014, 5.0, 5.0, 0, 0, 0.0, "aircraft"),
        # deal 2 (ordered 2015); 2017 is after the fixture's sipri_tiv years: exact NULL
        (365, 705, 2015, 0.0, 0.0, 1, 0, 5.0, None),
        (365, 705, 2016, 1.0, 1.0, 0, 0, 0.0, "armoured vehicles"),
        (365, 705, 2017, 1.0, None, 0, 0, 0.0, "armoured vehicles"),
    ]


def test_country_years_count_every_supplier_and_recipient(project):
    con = _built(project, "int_sipri_arms_country_years_aggregated")
    rows = con.execute(
        """
        select ccode, year, arms_imports_tiv, arms_exports_tiv, arms_n_suppliers,
            arms_n_recipients, arms_n_state_recipients
        from int_sipri_arms_country_years_aggregated where year = 2014 order by ccode
        """
    ).fetchall()
    # 2014: Germany exports 3 to an armed group (a recipient, not a state recipient); Russia
    # exports 5 to Uzbekistan; every other member of the frame that year has 0, not NULL.
    assert rows == [
        (2, 2014, 0.0, 0.0, 0, 0, 0),
        (255, 2014, 0.0, 3.0, 0, 1, 0),
        (316, 2014, 0.0, 0.0, 0, 0, 0),
        (365, 2014, 0.0, 5.0, 0, 1, 1),
        (704, 2014, 5.0, 0.0, 1, 0, 0),
        (705, 2014, 0.0, 0.0, 0, 0, 0),
    ]
    # Outside the fixture's SIPRI years (1990-2018) there is no row: NULL in mart_country_year.
    assert con.execute(
        "select min(year), max(year) from int_sipri_arms_country_years_aggregated"
    ).fetchone() == (1990, 2018)


def test_milex_workbook_is_melted_with_markers_and_colours(project):
    con = _built(project, "int_sipri_milex_country_years_pivoted")
    raw = con.execute(
        "select count(*), count(distinct country) from raw_sipri_milex__country_year"
    ).fetchone()
    # 4 countries x 3 years x 2 sheets; the region heading 'Asia & Oceania' holds no values
    assert raw == (24, 4)
    rows = con.execute(
        """
        select ccode, year, milex_constant_usd_m, round(milex_share_of_gdp_pct, 6),
            milex_usd_is_estimate,
            milex_usd_is_uncertain, milex_gdp_is_estimate
        from int_sipri_milex_country_years_pivoted order by ccode, year
        """
    ).fetchall()
    # the share of GDP is a fraction in the sheet, a percentage here (0.011 -> 1.1, to float noise)
    assert rows == [
        # USSR 1990 (blue share: an estimate); 'xxx' for Russia in 1990 and the USSR after
        (365, 1990, 5000.5, 12.0, False, False, True),
        (365, 1991, None, None, False, False, False),
        (365, 1992, 4000.0, 4.5, False, False, False),
        # Uzbekistan and Kazakhstan are COW members from 1991
        (704, 1991, None, None, False, False, False),
        (704, 1992, 100.5, None, True, False, False),
        (705, 1991, 50.0, 1.0, False, True, False),
        (705, 1992, 60.0, 1.1, False, False, False),
    ]


def test_milex_unexpected_text_is_quarantined(tmp_path, monkeypatch):
    from pipelines.settings import PROJECT_ROOT, get_settings

    sheets = {
        "Constant (2022) US$": [("Kazakhstan", "", {1992: ("n/a", None)})],
        "Share of GDP": [("Kazakhstan", "", {1992: (0.01, None)})],
    }
    write_raw(tmp_path / "raw", {"workbook": sipri_milex_bytes(sheets)})
    monkeypatch.setenv("COOP_ROOT", str(tmp_path))
    monkeypatch.setenv("COOP_SQL_DIR", str(PROJECT_ROOT / "sql"))
    monkeypatch.setenv("COOP_SEEDS_DIR", str(PROJECT_ROOT / "seeds"))
    con = _built(get_settings(), "int_sipri_milex_checked")
    assert con.execute(
        "select reject.rule, reject.column_name, reject.value from int_sipri_milex_checked "
        "where reject is not null"
    ).fetchall() == [("unexpected_marker", "Constant (2022) US$!D9", "n/a")]


def test_marts_carry_arms_and_milex_null_outside_coverage(project):
    con = _built(project, "mart_country_year", "mart_dyad_year", "mart_arms_transfers")
    country_years = con.execute(
        """
        select ccode, year, arms_imports_tiv, arms_exports_tiv, milex_constant_usd_m,
            milex_usd_is_estimate
        from mart_country_year
        where (ccode, year) in ((365, 1989), (365, 1992), (704, 2013), (704, 2014), (705, 2017))
        order by ccode, year
        """
    ).fetchall()
    assert country_years == [
        # 1989: before the fixture's SIPRI years (1990-2018 arms, 1990-2016 milex): NULL
        (365, 1989, None, None, None, None),
        (365, 1992, 0.0, 0.0, 4000.0, False),
        # 2013: nothing delivered to Uzbekistan: 0, and SIPRI milex has no row for it: NULL
        (704, 2013, 0.0, 0.0, None, False),
        (704, 2014, 5.0, 0.0, None, False),
        # 2017: inside the arms years (Kazakhstan receives 1), after the milex years: NULL
        (705, 2017, 1.0, 0.0, None, None),
    ]
    # Russia (365) < Uzbekistan (704): Russia's deliveries are ccode1 -> ccode2
    assert con.execute(
        "select arms_tiv_1_to_2, arms_tiv_2_to_1 from mart_dyad_year "
        "where ccode1 = 365 and ccode2 = 704 and year = 2014"
    ).fetchone() == (5.0, 0.0)
    assert con.execute(
        "select supplier, recipient, tiv_delivered, tiv_sipri_exact from mart_arms_transfers "
        "where supplier_ccode = 365 and recipient_ccode = 704 and year = 2012"
    ).fetchone() == ("Russia", "Uzbekistan", 5.0, 6.0)
