"""Mart values computed by hand from tests/fixture_data.py (see the comments there)."""

from __future__ import annotations

import duckdb
import pytest

from tests.helpers import build_work_db, rows


@pytest.fixture
def work(project):
    run, summary = build_work_db(project)
    con = duckdb.connect(str(run.work_db), read_only=True)
    yield con, summary
    con.close()


def country_year(con, ccode, year, columns):
    return rows(con, f"select {columns} from mart_country_year where ccode = $c and year = $y",
                {"c": ccode, "y": year})[0]


def test_alliance_partner_counts_by_obligation(work):
    con, _ = work
    assert country_year(
        con, 704, 2000,
        "alliance_partners_defense, alliance_partners_offense, alliance_partners_neutrality, "
        "alliance_partners_nonaggression, alliance_partners_consultation, alliance_partners_total",
    ) == (2, 0, 0, 2, 2, 3)
    # Russia: defence + non-aggression + consultation with Uzbekistan only.
    assert country_year(con, 365, 2000, "alliance_partners_defense, alliance_partners_total") == (
        1, 1)


def test_igo_counts_keep_unknown_status_apart(work):
    con, _ = work
    assert country_year(
        con, 704, 2000, "igo_full, igo_associate, igo_observer, igo_unknown_status, "
        "security_igo_full, security_igos",
    ) == (3, 0, 1, 0, 1, "SCO")
    # Russia: full in aaa and sco, associate in bbb.  Kazakhstan: -9 in sco is not membership.
    assert country_year(con, 365, 2000, "igo_full, igo_associate") == (2, 1)
    assert country_year(con, 705, 2000, "igo_full, igo_unknown_status, security_igo_full") == (
        2, 1, 0)


def test_joint_full_igo_memberships_for_three_states(work):
    con, _ = work
    joint = rows(con, "select ccode1, ccode2, joint_igo_full, joint_security_igo_full "
                      "from mart_dyad_year where year = 2000 and ccode1 in (365, 704, 705) "
                      "and ccode2 in (365, 704, 705) order by all")
    # aaa: all three; bbb: 704 + 705 (365 only associate); sco: 704 + 365 (705 unknown).
    assert joint == [(365, 704, 2, 1), (365, 705, 1, 0), (704, 705, 2, 0)]


def test_exercise_counts_sizes_and_partners(work):
    con, _ = work
    # 2000: mme1 bilateral with the USA, mme2 with KAZ + RUS, row 3 with NATO and a missing
    # participant (single state).  Partners: USA, KAZ, RUS.
    assert country_year(
        con, 704, 2000,
        "exercises, exercises_bilateral, exercises_multilateral, exercise_partners",
    ) == (3, 1, 1, 3)
    # 2005: Kazakhstan is listed twice; counted once, so the exercise is bilateral.
    assert country_year(
        con, 704, 2005, "exercises, exercises_bilateral, exercises_multilateral"
    ) == (1, 1, 0)
    assert rows(con, "select joint_exercises from mart_dyad_year "
                     "where ccode1 = 704 and ccode2 = 705 and year in (2000, 2005) "
                     "order by year") == [(1,), (1,)]


def test_peacekeeping_mean_peak_and_months(work):
    con, _ = work
    assert country_year(
        con, 705, 2000, "pko_personnel_mean, pko_personnel_peak, pko_months_contributing"
    ) == (2.0, 12, 3)
    assert country_year(
        con, 2, 2000, "pko_personnel_mean, pko_personnel_peak, pko_months_contributing"
    ) == (1.0, 1, 12)


def test_iso3_is_resolved_to_the_state_of_the_date(work):
    con, _ = work
    resolved = rows(con, "select iso3, month_end::varchar, ccode from "
                         "int_ipi_contributions_checked where iso3 in ('DEU', 'CZE') "
                         "order by month_end")
    assert resolved == [("DEU", "1990-09-30", 260), ("DEU", "1990-11-30", 255),
                        ("CZE", "1992-01-31", 315), ("CZE", "1993-01-31", 316)]


def test_values_outside_a_source_coverage_are_null_not_zero(work):
    con, _ = work
    # Fixture coverage: MME 1990-2010, IGO 1990-2014, IPI 1990-2014, ATOP 1990-2018.
    assert country_year(con, 704, 2012, "exercises, igo_full, alliance_partners_total") == (
        None, 0, 0)
    assert country_year(con, 704, 2016, "igo_full, pko_personnel_mean, alliance_partners_total"
                        ) == (None, None, 0)
    # Inside coverage with no record: a measured zero.
    assert country_year(con, 704, 2009, "exercises") == (0,)


def test_state_frame_follows_system_membership(work):
    con, _ = work
    uzbekistan_years = rows(con, "select min(year), max(year), count(*) from mart_country_year "
                                 "where ccode = 704")
    # Member from 1991-12-26; the ongoing spell runs to the last covered year (2018).
    assert uzbekistan_years == [(1991, 2018, 28)]
    assert rows(con, "select count(*) from mart_country_year where ccode = 260 and year > 1990"
                ) == [(0,)]
    # Germany 255 has two spells, none of it in 1946-1989.
    assert rows(con, "select count(*) from mart_country_year where ccode = 255 "
                     "and year between 1946 and 1989") == [(0,)]


def test_dyad_universe_holds_every_pair_of_members(work):
    con, _ = work
    # In 2000 the members are 2, 255, 316, 365, 704, 705: 6 * 5 / 2 pairs.
    assert rows(con, "select count(*) from mart_dyad_year where year = 2000") == [(15,)]
    assert rows(con, "select atop_defense, atop_nonagg, atop_any, joint_exercises "
                     "from mart_dyad_year where ccode1 = 2 and ccode2 = 704 and year = 2000"
                ) == [(0, 1, 1, 1)]
    assert rows(con, "select count(*) from mart_dyad_year where ccode1 >= ccode2") == [(0,)]


def test_bad_rows_are_quarantined_with_rule_and_value(work):
    con, summary = work
    quarantined = rows(con, "select source_id, rule, column_name, offending_value "
                            "from mart_quarantine where source_id in ('atop', 'cow_igo', "
                            "'ipi', 'mme', 'sipri_arms') order by all")
    # The rejects of UNGA, Geo-PKO, US troops and the exercises: tests/test_new_sources.py.
    assert quarantined == [
        ("atop", "duplicate_key", "ccode1, ccode2, year", "365, 704, 2000"),
        ("atop", "not_integer", "ccode2", "abc"),
        # Both directions of the 1990 pair name Uzbekistan, the state not yet a member.
        ("atop", "not_system_member", "ccode1, year", "704, 1990"),
        ("atop", "not_system_member", "ccode2, year", "704, 1990"),
        ("cow_igo", "outside_coverage", "year", "2015"),
        ("cow_igo", "unknown_status", "status", "0"),
        ("ipi", "negative_count", "troops", "-3"),
        ("ipi", "unresolved_iso3", "iso3", "XXX"),
        ("mme", "duplicate_participant", "participant_raw", "Kazakhstan"),
        ("mme", "missing_participant", "participant_raw", "-9"),
        # SIPRI fixture deals 7 and 6 (tests/fixture_data.py SIPRI_DEALS)
        ("sipri_arms", "not_a_number", "SIPRI TIV of delivered weapons", "ten"),
        ("sipri_arms", "unresolved_name", "Recipient", "Freedonia"),
    ]
    reason = rows(con, "select reason from mart_quarantine where rule = 'negative_count'")[0][0]
    assert reason == "a count cannot be negative: troops = -3"
    assert summary["sources"]["ipi/contributor_month.csv"] == {
        "loaded": 19, "quarantined": {"negative_count": 1, "unresolved_iso3": 1}}


def test_non_state_participants_are_kept_apart(work):
    con, _ = work
    assert rows(con, "select mme_row, participant_name, year from mart_non_state_participants"
                ) == [(3, "NATO", 2000)]
    assert rows(con, "select count(*) from mart_country_year where country = 'NATO'") == [(0,)]


def test_every_mart_passes_its_declared_checks(work):
    _, summary = work
    assert summary["build"]["checks_passed"] > 20
