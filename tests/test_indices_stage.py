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
               "mart_index_uncertainty"}


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
                                    "py_network", "py_index_uncertainty"}
    assert summary["draws"] == 20 and summary["uncertainty"]["draws"] == 20
    for name in INDEX_MARTS:
        assert one(con, f"select count(*) from {name}")[0] > 0


def test_partnership_of_russia_and_uzbekistan_in_2000(indexed):
    con = indexed[0]
    row = one(con, """
        select comprehensiveness, longevity_years, reciprocity, igo_jaccard, alliance_s_score,
               coherence, partnership_score, layers_active, layers_covered
        from mart_partnership where ccode1 = 365 and ccode2 = 704 and year = 2000""")
    # All four layers active; first tie year; 3 obligation types each way; 2 joint IGOs of
    # 3 in the union; portfolios over the 6 members (2, 255, 316, 365, 704, 705):
    # 365 (0,0,0,3,3,0), 704 (1,0,0,3,3,3): d = 4, S = 1 - 2*4/18 = 5/9.
    comprehensiveness, longevity, recip, jaccard, s_score, coherence, score, active, covered = row
    assert (comprehensiveness, longevity, recip, active, covered) == (1.0, 1, 1.0, 4, 4)
    assert jaccard == pytest.approx(2 / 3)
    assert s_score == pytest.approx(5 / 9)
    assert coherence == pytest.approx((2 / 3 + (5 / 9 + 1) / 2) / 2)
    assert score == pytest.approx((1 + 0.1 + 1 + coherence) / 4)


def test_partnership_of_the_usa_and_uzbekistan_in_2000(indexed):
    con = indexed[0]
    comprehensiveness, s_score = one(con, """
        select comprehensiveness, alliance_s_score
        from mart_partnership where ccode1 = 2 and ccode2 = 704 and year = 2000""")
    # alliance and exercise active, security IGO and IGO not: 2 of 4.
    # USA (3,0,0,0,1,0) vs 704 (1,0,0,3,3,3): d = 2 + 3 + 2 + 3 = 10 -> 1 - 20/18.
    assert comprehensiveness == 0.5
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


def test_index_is_null_not_zero_outside_coverage_and_ranked_inside(indexed):
    con = indexed[0]
    composite, rank, operational_observed = one(con, """
        select composite, rank, operational_indicators_observed
        from mart_cooperation_index where ccode = 704 and year = 2000""")
    assert composite is not None and rank is not None and operational_observed == 4
    # 2012: MME ended in 2010, so the operational pillar and the composite are NULL, not 0.
    assert one(con, """select operational, composite, rank from mart_cooperation_index
                       where ccode = 704 and year = 2012""") == (None, None, None)
    mismatched = one(con, """
        select count(*) from mart_index_uncertainty as u
        inner join mart_cooperation_index as c using (ccode, year)
        where u.nominal_rank <> c.rank""")[0]
    assert mismatched == 0
