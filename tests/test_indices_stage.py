"""compute_indices end to end on the synthetic fixture: the py_ tables, the index marts and
their declared checks, and values worked out by hand from tests/fixture_data.py.

Fixture year 2000 (system members USA 2, Germany 255, Czech Republic 316, Russia 365,
Uzbekistan 704, Kazakhstan 705): ATOP ties 704-365 defence + non-aggression + consultation,
704-705 defence, 704-2 non-aggression + consultation (each given in both directions); full IGO
memberships 704 {aaa, bbb, sco}, 705 {aaa, bbb}, 365 {aaa, sco}; exercises mme1 (704, USA) and
mme2 (704, 705, 365).
"""

from __future__ import annotations

import duckdb
import pytest

from pipelines import models
from pipelines.settings import PROJECT_ROOT
from tests.helpers import build_work_db, rows

INDEX_MARTS = {"mart_cooperation_index", "mart_partnership", "mart_multivector", "mart_network",
               "mart_index_uncertainty", "mart_index_weights", "mart_index_inputs"}


@pytest.fixture
def indexed(project):
    # The real wiring: the refresh stages, including the indices stage, on the fixture.
    run, summary = build_work_db(project)
    con = duckdb.connect(str(run.work_db))
    all_models = models.discover_models(PROJECT_ROOT / "sql")
    built = models.downstream_of_python(all_models)
    checks = models.run_checks(con, {n: all_models[n] for n in INDEX_MARTS})
    yield con, summary["indices"], built, checks
    con.close()


def one(con, query, params=None):
    result = rows(con, query, params)
    assert len(result) == 1, result
    return result[0]


def test_every_index_mart_builds_and_passes_its_declared_checks(indexed):
    con, summary, built, checks = indexed
    assert set(built) == INDEX_MARTS
    assert checks and not any(checks.values())
    assert set(summary["rows"]) == {"py_cooperation_index", "py_partnership", "py_multivector",
                                    "py_network", "py_index_uncertainty", "py_index_weights",
                                    "py_index_inputs"}
    assert summary["draws"] == 20 and summary["uncertainty"]["draws"] == 20
    for name in INDEX_MARTS:
        assert one(con, f"select count(*) from {name}")[0] > 0


def test_partnership_of_russia_and_uzbekistan_in_2000(indexed):
    con = indexed[0]
    row = one(con, """
        select comprehensiveness, longevity_years, reciprocity, igo_jaccard, alliance_s_score,
               coherence, partnership_score, exercise_intensity, joint_military_orgs
        from mart_partnership where ccode1 = 365 and ccode2 = 704 and year = 2000""")
    # Fixed layers: alliance 3/3 = 1, joint military organisation 0 (SCO is a dialogue
    # forum), exercises: mme2 has 3 states -> 1/(3-1) = 0.5, against exercise_full 2 -> 0.25;
    # arms: nothing moved in 1996-2000 (SIPRI fixture from 1990) -> 0; comprehensiveness
    # (1 + 0 + 0.25 + 0)/4. Portfolios over the 6 members (2, 255, 316, 365, 704, 705): 365
    # (0,0,0,3,3,0), 704 (1,0,0,3,3,3): d = 4, S = 1 - 2*4/18 = 5/9 (reported only). UN voting
    # (tests/fixture_data.py): ideal points -0.5 and -0.25 -> 1 - 0.25/3 = 11/12; identical
    # votes 0 of 2; security votes (rc1 di, rc2 nu) 0 of 2 -> coherence (11/12 + 0 + 0)/3.
    comprehensiveness, longevity, recip, jaccard, s_score, coherence, score, intensity, orgs = row
    assert comprehensiveness == pytest.approx(1.25 / 4)
    assert (longevity, recip, orgs) == (1, 1.0, 0)
    assert intensity == pytest.approx(0.5)
    assert jaccard == pytest.approx(2 / 3)
    assert s_score == pytest.approx(5 / 9)
    assert coherence == pytest.approx(11 / 36)
    # gated: extent (1.25/4 + 0.1) / 2, quality (1 + 11/36) / 2, quality half the weight.
    extent, quality = (1.25 / 4 + 0.1) / 2, (1 + 11 / 36) / 2
    assert score == pytest.approx(extent * (0.5 + 0.5 * quality))


def test_partnership_of_the_usa_and_uzbekistan_in_2000(indexed):
    con = indexed[0]
    comprehensiveness, s_score = one(con, """
        select comprehensiveness, alliance_s_score
        from mart_partnership where ccode1 = 2 and ccode2 = 704 and year = 2000""")
    # alliance level 1 (non-aggression, consultation) -> 1/3; no military organisation; one
    # bilateral exercise (mme1) -> 1 / 2; no arms: (1/3 + 0 + 1/2 + 0) / 4.
    # USA (3,0,0,0,1,0) vs 704 (1,0,0,3,3,3): d = 2 + 3 + 2 + 3 = 10 -> 1 - 20/18.
    assert comprehensiveness == pytest.approx((1 / 3 + 0.5) / 4)
    assert s_score == pytest.approx(-1 / 9)
    # After the 2000 ties the pair stays in the mart with longevity 0 and an ageing tie.
    assert one(con, """select longevity_years, tie_age_years from mart_partnership
                       where ccode1 = 2 and ccode2 = 704 and year = 2003""") == (0, 4)


def test_uzbekistan_bloc_shares_in_2000(indexed):
    con = indexed[0]
    russia, central_asia, west, other, hhi, largest = one(con, """
        select share_russia_csto, share_central_asia, share_west, other_share, hhi, largest_bloc
        from mart_multivector where ccode = 704 and year = 2000""")
    # Layers (weight): alliance (1) 365: 3, 705: 3, USA: 1 of 7; security IGO (1) 365 only;
    # IGO (0.5) 365: 2, 705: 2 of 4; exercises (1) USA, 365, 705 one each.
    expected_russia = (3 / 7 + 1 + 0.5 * 0.5 + 1 / 3) / 3.5
    expected_ca = (3 / 7 + 0.5 * 0.5 + 1 / 3) / 3.5
    expected_west = (1 / 7 + 1 / 3) / 3.5
    assert russia == pytest.approx(expected_russia)
    assert central_asia == pytest.approx(expected_ca)
    assert west == pytest.approx(expected_west)
    assert other == pytest.approx(0.0, abs=1e-12)
    assert hhi == pytest.approx(expected_russia**2 + expected_ca**2 + expected_west**2)
    assert largest == "russia_csto"


def test_network_alliance_degree_and_strength(indexed):
    con = indexed[0]
    assert one(con, """select degree, strength, eigenvector_method from mart_network
                       where layer = 'alliance' and ccode = 704 and year = 2000""") == (
        3, 7.0, "power_iteration")
    # No exercise layer outside MME coverage (fixture 1990-2010).
    assert one(con, "select count(*) from mart_network where layer = 'joint_exercise' "
                    "and year > 2010")[0] == 0


def test_index_v2_values_corrections_and_flags_by_hand(indexed):
    con = indexed[0]
    # The shipped correction uzb_cst_2000_2005 removes the 704-705 defence obligation (both
    # ways) in 2000. Panel maxima (log1p) are then 1 defence partner given and received, 1
    # weak-pact partner, 1 dialogue forum; military organisations and offence/neutrality have
    # no variance and are left out. Institutional weights 0.25, 0.25, 0.05, 0.10 (sum 0.65):
    # 704: every indicator at the maximum -> 100; 365: defence both ways and the SCO ->
    # 60 / 0.65; USA: only the weak pact with 704 -> 5 / 0.65; 705: 0 (measured).
    got = dict(rows(con, """select ccode, institutional from mart_cooperation_index
                           where year = 2000"""))
    assert got[704] == pytest.approx(100.0)
    assert got[365] == pytest.approx(60 / 0.65)
    assert got[2] == pytest.approx(5 / 0.65)
    assert got[705] == 0.0
    assert one(con, """select corrections_applied from mart_cooperation_index
                       where ccode = 704 and year = 2000""") == ("uzb_cst_2000_2005",)
    assert one(con, """select values_changed from mart_corrections
                       where correction_id = 'uzb_cst_2000_2005'""")[0] >= 2
    # A documented change after COW IGO's end changes no source value: listed, with its
    # entity, and NULL (not 0) values changed.
    assert one(con, """select entity, values_changed, first_year from mart_corrections
                       where correction_id = 'fin_nato_2023'""") == (
        "igo_membership_after_source", None, 2023)
    left_out = dict(rows(con, "select indicator, status from mart_index_weights"))
    assert left_out["military_orgs"] == "no variance in the index years"
    # The arms transfers are in the build (fixture SIPRI deals), so they are used.
    assert left_out["arms_imports_tiv"] == left_out["arms_exports_tiv"] == "used"
    effective = one(con, "select sum(effective_weight) from mart_index_weights")[0]
    assert effective == pytest.approx(1.0)


def test_index_is_null_not_zero_outside_coverage_and_ranked_inside(indexed):
    con = indexed[0]
    composite, rank, operational_observed, indicator_set = one(con, """
        select composite, rank, operational_indicators_observed, indicator_set
        from mart_cooperation_index where ccode = 704 and year = 2000""")
    # Observed in 2000: exercises, exercise partners, IPI personnel, Geo-PKO troops (from
    # 1994) and arms imports and exports (SIPRI fixture, 1990-2018): 6.
    assert composite is not None and rank == 1 and operational_observed == 6
    assert "exercises" in indicator_set
    # 2012: MME ended in 2010; the current composite uses the year's set (commitments and
    # peacekeeping), recorded per row, and the exercises are not in it.
    composite, indicator_set = one(con, """select composite, indicator_set
        from mart_cooperation_index where ccode = 704 and year = 2012""")
    assert "exercises" not in indicator_set
    # 2015: MME and IPI no longer cover the year, so exercises and IPI personnel are NULL (not
    # observed, never 0) and out of the set; arms transfers and Geo-PKO troops still are.
    observed, indicator_set = one(con, """select operational_indicators_observed, indicator_set
        from mart_cooperation_index where ccode = 704 and year = 2015""")
    assert observed == 3
    assert "exercises" not in indicator_set and "pko_personnel_mean" not in indicator_set
    assert "arms_imports_tiv" in indicator_set and "pko_troops_estimated" in indicator_set
    mismatched = one(con, """
        select count(*) from mart_index_uncertainty as u
        inner join mart_cooperation_index as c using (ccode, year)
        where u.nominal_rank <> c.rank""")[0]
    assert mismatched == 0
