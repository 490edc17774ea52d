"""UNGA voting, Geo-PKO v2.3, US troops and the supplementary exercises batch (issue 12).

Fixture rows in tests/fixture_data.py (synthetic); every expected value is worked out by hand
in the comments there or here.
"""

from __future__ import annotations

import duckdb

from pipelines import models
from pipelines.loading import load_sources
from pipelines.register.exercises_import import batch_rows
from pipelines.sources.geo_pko import parse_contributors, split_top_level
from tests import fixture_data
from tests.helpers import rows


def build(settings, targets: set[str]) -> duckdb.DuckDBPyConnection:
    """Load the fixture raw files and build the models the targets need, in memory."""
    con = duckdb.connect()
    load_sources(con, settings)
    models.create_macros(con, settings.sql_dir)
    found = models.discover_models(settings.sql_dir)
    models.build_models(con, found, models.upstream_of(found, targets))
    return con


def entries(text):
    return [(e.name, e.troops, e.size_unknown, e.problem) for e in parse_contributors(text)]


# --- Geo-PKO contributor text ------------------------------------------------------------------

def test_contributor_text_is_parsed_into_names_troops_and_size_unknown():
    assert entries("Nepal (650), Jordan (size unknown)") == [
        ("Nepal", 650, False, None), ("Jordan", None, True, None)]
    # A name with its own parentheses: the figure is the last group.
    assert entries("Korea (ROK) (150), Sri Lanka (950)") == [
        ("Korea (ROK)", 150, False, None), ("Sri Lanka", 950, False, None)]
    # Odd spacing and case: ( 35 ), double spaces, 'Size Unknown'.
    assert entries("Kazakhstan (650),  Uzbekistan ( 35 ),Fiji  (Size Unknown)") == [
        ("Kazakhstan", 650, False, None), ("Uzbekistan", 35, False, None),
        ("Fiji", None, True, None)]


def test_unparseable_contributor_entries_are_kept_with_their_problem():
    assert entries("Nepal (many)") == [
        ("Nepal", None, False, "troop figure 'many' is not a number")]
    assert entries("Nepal (150),, Chad (35)")[1] == (
        None, None, False, "empty entry between commas")
    assert entries("Nepal") == [(None, None, False, "no troop figure in parentheses")]
    assert entries("Nepal (150") == [(None, None, False, "unbalanced parentheses")]
    assert entries("") == [(None, None, False, "empty contributor list")]
    assert split_top_level("A (1), B (x, y), C (2)") == ["A (1)", "B (x, y)", "C (2)"]


# --- loaders ---------------------------------------------------------------------------------

def test_every_new_file_loads_with_lineage(project):
    con = build(project, {"stg_geo_pko__contributors", "stg_unga__votes"})
    counts = {
        "raw_unga__ideal_points": len(fixture_data.UNGA_IDEAL_POINTS),
        "raw_unga__votes": len(fixture_data.UNGA_VOTES),
        "raw_unga__roll_calls": len(fixture_data.UNGA_ROLL_CALLS),
        "raw_unga__roll_call_issues": len(fixture_data.UNGA_ISSUES),
        "raw_geo_pko__tcc_map": len(fixture_data.GEO_PKO),
        "raw_us_troops__country_year": len(fixture_data.US_TROOPS),
        "raw_exercises_supplementary__exercises": len(fixture_data.SUPPLEMENTARY_EXERCISES),
        # 3 + 2 + 2 + 1 + 1 + 1 + 2 entries in the seven TCC cells
        "raw_geo_pko__contributors": 12,
    }
    for table, expected in counts.items():
        assert rows(con, f"select count(*), count(distinct _row_number), "
                         f"min(_source_id) is not null from {table}")[0][0] == expected, table
    # Namibia's ISO2 code is the text 'NA', never a missing value.
    assert rows(con, "select country_code from stg_unga__votes where country = 'Namibia'"
                ) == [("NA",)]


# --- UNGA ------------------------------------------------------------------------------------

def test_iso2_codes_resolve_to_the_state_of_the_roll_calls_date(project):
    con = build(project, {"int_unga_votes_checked"})
    resolved = rows(con, "select country_code, year, ccode, reject.rule "
                         "from int_unga_votes_checked "
                         "where country_code in ('DE', 'CS', 'NA') order by year, country_code")
    assert resolved == [
        ("CS", 1990, 315, None),  # Czechoslovakia
        ("DE", 1990, 260, None),  # before 1990-10-03: the Federal Republic
        ("DE", 2000, 255, None),  # after: Germany
        ("NA", 2000, 565, "not_system_member"),  # resolved; not in the fixture state list
    ]
    quarantined = rows(con, "select reject.rule, reject.value from int_unga_votes_checked "
                            "where reject is not null and country_code <> 'NA' order by 1")
    assert quarantined == [
        ("duplicate_key", "1, 704"), ("unknown_roll_call", "9"),
        ("unknown_vote", "maybe"), ("unresolved_iso2", "XX, Nowhere")]


def test_vote_agreement_on_a_hand_worked_fixture(project):
    con = build(project, {"int_unga_vote_agreement_paired"})

    def pair(c1, c2, year=2000):
        return rows(con, "select votes_both, votes_same, round(agree_s, 6), votes_both_di, "
                         "votes_same_di, votes_both_nu, votes_same_nu "
                         "from int_unga_vote_agreement_paired "
                         "where ccode1 = $a and ccode2 = $b and year = $y",
                    {"a": c1, "b": c2, "y": year})

    assert pair(2, 365) == [(3, 2, round(2 / 3, 6), 1, 0, 1, 1)]
    assert pair(2, 704) == [(2, 1, 0.75, 1, 1, 1, 0)]
    assert pair(365, 704) == [(2, 0, 0.25, 1, 0, 1, 0)]
    # 1990: the Federal Republic and Czechoslovakia both voted yes, the USA no.
    assert pair(260, 315, 1990) == [(1, 1, 1.0, 0, 0, 0, 0)]
    assert pair(2, 260, 1990) == [(1, 0, 0.0, 0, 0, 0, 0)]


def test_ideal_points_are_checked_against_the_state_list(project):
    con = build(project, {"int_unga_ideal_points_checked"})
    assert rows(con, "select ccode, idealpointfp, idealpointall from int_unga_ideal_points_checked "
                     "where reject is null order by ccode") == [
        (2, 1.5, 1.4), (365, -0.5, -0.6), (704, -0.25, None), (705, -0.75, -0.7)]
    assert rows(con, "select reject.rule, reject.value from int_unga_ideal_points_checked "
                     "where reject is not null order by 1") == [
        ("duplicate_key", "2, 2000"), ("not_integer", "abc"), ("not_system_member", "704, 1990")]


# --- Geo-PKO -----------------------------------------------------------------------------------

def test_peacekeeping_deployments_and_co_deployment(project):
    con = build(project, {"int_geo_pko_country_years_aggregated",
                          "int_geo_pko_dyad_years_aggregated", "int_geo_pko_locations_checked"})
    assert rows(con, "select ccode, year, pko_missions, pko_locations, pko_troops_estimated, "
                     "pko_locations_size_unknown, pko_mission_list "
                     "from int_geo_pko_country_years_aggregated where pko_missions > 0 "
                     "order by ccode, year") == [
        (2, 2017, 1, 1, 35, 0, "UNIFIL"),
        (365, 2016, 2, 2, 850, 1, "MINUSMA, UNIFIL"),
        (704, 2016, 2, 2, 35, 1, "MINUSMA, UNIFIL"),
        (705, 2016, 1, 2, 800, 0, "MINUSMA"),
        (705, 2017, 1, 1, 150, 0, "UNIFIL"),
    ]
    # Inside 1994-2018 (the fixture's coverage) a state that sent none has 0, before it NULL.
    assert rows(con, "select pko_missions, pko_troops_estimated from "
                     "int_geo_pko_country_years_aggregated where ccode = 704 and year = 2000"
                ) == [(0, 0)]
    assert rows(con, "select count(*) from int_geo_pko_country_years_aggregated where year < 1994"
                ) == [(0,)]
    assert rows(con, "select * from int_geo_pko_codeployments_paired order by all") == [
        (2, 705, 2017, 1, 1), (365, 704, 2016, 2, 1), (365, 705, 2016, 1, 1),
        (704, 705, 2016, 1, 1)]
    assert rows(con, "select pko_codeployed, pko_shared_missions from "
                     "int_geo_pko_dyad_years_aggregated where ccode1 = 365 and ccode2 = 704 "
                     "and year in (2016, 2017) order by year") == [(1, 2), (0, 0)]
    assert rows(con, "select reject.rule, reject.value from int_geo_pko_contributors_resolved "
                     "where reject is not null order by 1") == [
        ("outside_coverage", "1993"),
        ("unparseable_contributor", "Kazakhstan (many) (troop figure 'many' is not a number)"),
        ("unresolved_name", "Atlantis (no match in country_converter; add a row to "
                            "seeds/country_name_overrides.csv)"),
    ]
    # mart_quarantine's feed lists each TCC row once, with every entry set aside in it.
    assert rows(con, "select year, reject.rule from int_geo_pko_locations_checked "
                     "where reject is not null order by 1, 2") == [
        (1993, "outside_coverage"), (2016, "unparseable_contributor"), (2016, "unresolved_name")]
    # The UN as a contributor is kept, as an organisation, and never counted as a state.
    assert rows(con, "select actor_kind, reject from int_geo_pko_contributors_resolved "
                     "where contributor_name = 'Un'") == [("organisation", None)]


# --- US troops ---------------------------------------------------------------------------------

def test_us_troops_recodes_duplicates_and_territories(project):
    con = build(project, {"int_us_troops_country_years_checked"})
    assert rows(con, "select ccode, year, troops_active_duty "
                     "from int_us_troops_country_years_checked "
                     "where reject is null order by ccode, year") == [
        (255, 2000, 70000), (260, 1980, 200000), (316, 2000, 5), (704, 2000, 10)]
    assert rows(con, "select reject.rule, reject.value from int_us_troops_country_years_checked "
                     "where reject is not null order by 1") == [
        ("duplicate_key", "316, 2000 (Czechia; row 5 with the larger troops_ad stands)"),
        ("home_state", "2 (United States)"),
        ("not_a_cow_state", "1008 (Guam)"),
        ("not_integer", "abc"),
        ("not_system_member", "705, 1985"),
    ]


# --- supplementary exercises: a register batch, not a panel ----------------------------------

def test_supplementary_exercises_enter_the_register_as_low_confidence_facts(project):
    source = project.raw_dir / "exercises_supplementary" / "jme.csv"
    batch, result = batch_rows(source, project.seeds_dir / "country_name_overrides.csv")
    # Exercise 1 has two partners, exercise 2 one; the blank line is skipped.
    assert (result.exercises, result.facts, result.unresolved) == (2, 3, ())
    assert [(r["year"], r["country"], r["partner"], r["subtype"], r["confidence"])
            for r in batch] == [
        ("2012", "RUS", "KAZ", "multilateral", "low"),
        ("2012", "RUS", "UZB", "multilateral", "low"),
        ("2009", "RUS", "USA", "bilateral", "low")]
    assert all("https://example.org/" in r["source_citation"] for r in batch)
    register_file = project.raw_dir / "register" / "russia_exercises.csv"
    register_file.parent.mkdir(exist_ok=True)
    fixture_data.write_file(register_file, fixture_data.csv_text(list(batch[0]), batch))
    con = build(project, {"int_register_country_years_aggregated"})
    assert rows(con, "select year, status, count(*) from int_register_facts_checked "
                     "where reject is null group by all order by all") == [
        (2009, "superseded_by_public_source", 1), (2012, "low_confidence", 2)]
    # Russia 2012 has register facts, but no exercise count: 2012 is outside MME (1990-2010).
    assert rows(con, "select register_facts, exercises from int_register_country_years_aggregated "
                     "where ccode = 365 and year = 2012") == [(2, None)]


# --- the frame -------------------------------------------------------------------------------

def test_frame_runs_to_the_last_year_any_source_covers(project, monkeypatch, tmp_path):
    monkeypatch.setitem(fixture_data.COVERAGE, "us_troops", (1950, 2025))
    fixture_data.write_raw(project.raw_dir)
    con = build(project, {"int_cow_states_years_expanded"})
    # Spells still running when COW v2016 ends (2016-12-31) run on to 2025; ended ones do not.
    assert rows(con, "select ccode, max(year) from int_cow_states_years_expanded "
                     "where ccode in (315, 704) group by ccode order by ccode") == [
        (315, 1992), (704, 2025)]


def test_a_state_born_after_2016_enters_the_frame_from_its_seed_row(project, monkeypatch,
                                                                   tmp_path):
    import shutil

    seeds = tmp_path / "seeds"
    shutil.copytree(project.seeds_dir, seeds)
    with (seeds / "state_spells_added.csv").open("a", encoding="utf-8") as handle:
        handle.write("TST,999,Testland (synthetic),2017,7,1,2017,12,31,2017,test row\n")
    monkeypatch.setenv("COOP_SEEDS_DIR", str(seeds))
    from pipelines.settings import get_settings

    con = build(get_settings(), {"int_cow_states_years_expanded"})
    # Fixture frame: to 2018 (the largest last_year of the fixture manifest).
    assert rows(con, "select min(year), max(year) from int_cow_states_years_expanded "
                     "where ccode = 999") == [(2017, 2018)]


def test_marts_carry_the_new_columns_null_outside_each_source(project):
    con = build(project, {"mart_country_year", "mart_dyad_year", "mart_pko_deployments",
                          "mart_quarantine"})

    def country_year(ccode, year):
        return rows(con, "select unga_ideal_point, us_troops_hosted, pko_missions, "
                         "pko_troops_estimated from mart_country_year "
                         "where ccode = $c and year = $y", {"c": ccode, "y": year})[0]

    # Fixture coverage: UNGA 1946-2018, US troops 1950-2018, Geo-PKO 1994-2018.
    assert country_year(704, 2000) == (-0.25, 10, 0, 0)
    assert country_year(704, 2016) == (None, 0, 2, 35)
    assert country_year(705, 1992) == (None, 0, None, None)
    assert country_year(2, 2000)[1] is None  # the USA does not host its own troops
    assert rows(con, "select unga_ideal_point_distance, unga_votes_both, unga_agreement, "
                     "unga_agreement_s, pko_codeployed from mart_dyad_year "
                     "where ccode1 = 2 and ccode2 = 704 and year = 2000") == [
        (1.75, 2, 0.5, 0.75, 0)]
    # After the last vote year (2000 in the fixture) agreement is NULL, not 0.
    assert rows(con, "select unga_votes_both, unga_agreement, pko_codeployed, "
                     "pko_shared_missions from mart_dyad_year "
                     "where ccode1 = 365 and ccode2 = 704 and year = 2016") == [
        (None, None, 1, 2)]
    assert rows(con, "select iso3, year, mission, locations, troops_estimated, "
                     "locations_size_unknown from mart_pko_deployments "
                     "where ccode = 704 order by all") == [
        ("UZB", 2016, "MINUSMA", 1, 35, 0), ("UZB", 2016, "UNIFIL", 1, 0, 1)]
    assert rows(con, "select source_id, count(*) from mart_quarantine where source_id in "
                     "('unga', 'geo_pko', 'us_troops') group by 1 order by 1") == [
        # 3 TCC rows; US troops 5; UNGA: 3 ideal points, 1 roll call (not a date), 1 issue
        # (unknown roll call), 5 votes (duplicate, unknown roll call, unknown vote,
        # unresolved ISO2, Namibia not a member in the fixture).
        ("geo_pko", 3), ("unga", 3 + 1 + 1 + 5), ("us_troops", 5)]
