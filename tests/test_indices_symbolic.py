"""Symbolic cooperation with arms and co-deployment as practice (docs/methodology.md 3.7).

Tiny tables in an in-memory DuckDB, the expected shares worked by hand in each test."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines.indices.symbolic import symbolic_cooperation


@pytest.fixture
def con():
    db = duckdb.connect()
    # State 1 has defence pacts with 2, 3 and 4 in 2009-2012 (ATOP here to 2012).
    db.execute("""create table int_atop_dyad_years_corrected as
        select c1 as ccode1, c2 as ccode2, y as year, 1 as atop_defense, 0 as atop_offense,
               0 as atop_neutral
        from (values (1, 2), (1, 3), (1, 4)) as p(c1, c2),
             (select unnest(range(2009, 2013)) as y)""")
    db.execute("""create table int_cow_igo_memberships_corrected as
        select * from (values (1, 'x', 2009, 0)) as t(ccode, ioname, year, status)""")
    db.execute("""create table stg_seeds__security_igos as
        select * from (values ('x', 'military')) as t(ioname_lower, kind)""")
    # Practice: 1-2 joint exercise in 2010; 1-3 arms 3 -> 1 in 2011; 1-4 co-deployed 2012.
    db.execute("""create table mart_dyad_year as
        select * from (values
            (1, 2, 2010, 1, 0.0, 0.0, 0), (1, 3, 2011, 0, 0.0, 7.5, 0),
            (1, 4, 2012, 0, 0.0, 0.0, 1))
        as t(ccode1, ccode2, year, joint_exercises, arms_tiv_1_to_2, arms_tiv_2_to_1,
             pko_codeployed)""")
    yield db
    db.close()


COVERAGE = {"atop": range(1815, 2013), "cow_igo": range(1816, 2015),
            "mme": range(1980, 2011), "sipri_arms": range(1950, 2026),
            "geo_pko": range(2011, 2025)}


def test_arms_and_codeployment_count_as_practice_where_they_cover_the_window(con):
    got = symbolic_cooperation(con, COVERAGE, window=2, first_year=2000)
    got = got[got["ccode"] == 1].set_index("year")
    # 2010 (window 2009-2010): MME and SIPRI cover it, Geo-PKO (from 2011) does not.
    # Practised: 2 (exercise 2010). 3 and 4 not -> 2 of 3 without practice.
    assert got.loc[2010, "practice_layers"] == "arms_transfer, joint_exercise"
    assert got.loc[2010, "symbolic_share"] == pytest.approx(2 / 3)
    # Without exercises only arms count: nobody practised -> 3 of 3.
    assert got.loc[2010, "symbolic_share_no_exercise"] == pytest.approx(1.0)
    # 2011 (2010-2011): MME ends 2010 -> symbolic_share NULL (never a mechanical rise);
    # the no-exercise series: arms with 3 in 2011 -> 2 of 3.
    assert pd.isna(got.loc[2011, "symbolic_share"])
    assert pd.isna(got.loc[2011, "commitments_without_practice"])
    assert got.loc[2011, "symbolic_share_no_exercise"] == pytest.approx(2 / 3)
    assert got.loc[2011, "practice_layers"] == "arms_transfer"
    # 2012 (2011-2012): Geo-PKO covers 2011-2012 -> co-deployment with 4 counts; arms with 3
    # in 2011 counts -> 1 of 3 (partner 2).
    assert got.loc[2012, "practice_layers"] == "arms_transfer, co_deployment"
    assert got.loc[2012, "symbolic_share_no_exercise"] == pytest.approx(1 / 3)
    assert got.loc[2012, "commitments"] == 3


def test_practice_from_a_layer_not_covering_the_window_is_ignored(con):
    # Geo-PKO from 2012: the 2011-2012 window is not covered, so the 2012 co-deployment with
    # 4 does not count (a half-covered window would make practice appear mechanically).
    coverage = {**COVERAGE, "geo_pko": range(2012, 2025)}
    got = symbolic_cooperation(con, coverage, window=2, first_year=2000)
    row = got[(got["ccode"] == 1) & (got["year"] == 2012)].iloc[0]
    assert row["practice_layers"] == "arms_transfer"
    assert row["symbolic_share_no_exercise"] == pytest.approx(2 / 3)
