"""Real-data recounts of the issue-12 sources: the shipped raw files, recounted independently.

Builds only the models these sources need, from raw/ (no Prefect, no indices), and compares
them with counts read straight from the raw files with plain Python/DuckDB readers.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter

import duckdb
import pytest

from pipelines import models
from pipelines.loading import load_sources
from pipelines.register.exercises_import import batch_rows
from pipelines.settings import PROJECT_ROOT, get_settings

RAW = PROJECT_ROOT / "raw"
pytestmark = pytest.mark.smoke

TARGETS = {
    "int_unga_vote_agreement_paired", "int_unga_ideal_points_checked",
    "int_geo_pko_locations_checked", "int_us_troops_country_years_checked",
    "int_register_facts_checked",
}


@pytest.fixture(scope="module")
def con():
    settings = get_settings()
    connection = duckdb.connect()
    load_sources(connection, settings)
    models.create_macros(connection, settings.sql_dir)
    found = models.discover_models(settings.sql_dir)
    models.build_models(connection, found, models.upstream_of(found, TARGETS))
    yield connection
    connection.close()


def scalar(con, query):
    return con.execute(query).fetchall()[0][0]


def test_unga_votes_recount_the_raw_file(con):
    with gzip.open(RAW / "unga/un_votes.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == 870_109
    votes = Counter(r["vote"] for r in records)
    assert votes == {"yes": 693_664, "abstain": 110_897, "no": 65_548}  # PROVENANCE.md
    assert sum(1 for r in records if r["country_code"] == "NA") == 2_455  # Namibia, not NULL
    accepted = dict(con.execute("select vote_code, count(*) from int_unga_votes_checked "
                                "where reject is null group by 1").fetchall())
    rejected = dict(con.execute("select reject.rule, count(*) from int_unga_votes_checked "
                                "where reject is not null group by 1").fetchall())
    assert sum(accepted.values()) + sum(rejected.values()) == 870_109
    # Only votes of states outside the COW system that year (Ukraine and Belarus before 1991,
    # India in 1946...) are set aside: every code resolves.
    assert set(rejected) == {"not_system_member"}


def test_vote_agreement_recounts_one_pair_from_the_raw_files(con):
    # Uzbekistan (UZ) and Russia (RU) in session 70 (2015): counted straight from the files.
    with (RAW / "unga/un_roll_calls.csv").open(encoding="utf-8", newline="") as handle:
        session_70 = {int(float(r["rcid"])) for r in csv.DictReader(handle)
                      if r["session"] and int(float(r["session"])) == 70}
    votes: dict[str, dict[int, str]] = {"UZ": {}, "RU": {}}
    with gzip.open(RAW / "unga/un_votes.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            rcid = int(float(r["rcid"]))
            if r["country_code"] in votes and rcid in session_70:
                votes[r["country_code"]][rcid] = r["vote"]
    both = set(votes["UZ"]) & set(votes["RU"])
    same = sum(votes["UZ"][rc] == votes["RU"][rc] for rc in both)
    assert con.execute("select votes_both, votes_same from int_unga_vote_agreement_paired "
                       "where ccode1 = 365 and ccode2 = 704 and year = 2015").fetchall() == [
        (len(both), same)]


def test_ideal_points_recount_the_raw_file(con):
    with (RAW / "unga/IdealpointsJuly2025.csv").open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == 11_440
    assert {r["year"] for r in records if r["year"] == "2024"} == {"2024"}
    accepted = scalar(con, "select count(*) from int_unga_ideal_points_checked "
                           "where reject is null")
    quarantined = scalar(con, "select count(*) from int_unga_ideal_points_checked "
                              "where reject.rule = 'not_system_member'")
    assert accepted + quarantined == 11_440
    raw_usa_2024 = [float(r["idealpointfp"]) for r in records
                    if r["ccode"] == "2" and r["year"] == "2024"]
    assert scalar(con, "select idealpointfp from int_unga_ideal_points_checked "
                       "where ccode = 2 and year = 2024") == pytest.approx(raw_usa_2024[0])


def test_geo_pko_entries_recount_the_raw_file(con):
    with (RAW / "geo_pko_v23/TCCMap_v.2.3.csv").open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == 4_927
    # An independent count: every '(figure)' that closes an entry, figure digits or text.
    figures = [f for r in records
               for f in re.findall(r"\(([^()]*)\)(?=,|$)", r["year.overview"].strip())]
    assert len(figures) == sum(int(r["No.TCC"]) for r in records) == 8_729
    assert scalar(con, "select count(*) from int_geo_pko_contributors_resolved") == 8_729
    assert scalar(con, "select count(*) from int_geo_pko_contributors_resolved "
                       "where size_unknown") == sum(f.lower() == "size unknown" for f in figures)
    assert scalar(con, "select sum(troops) from int_geo_pko_contributors_resolved") == sum(
        int(f) for f in figures if f.isdigit())
    # Every name resolves: states, two organisations, two unnamed contingents; none set aside.
    assert scalar(con, "select count(*) from int_geo_pko_contributors_resolved "
                       "where reject is not null") == 0


def test_us_troops_recount_the_raw_file(con):
    with (RAW / "us_troops/us_troops_country_year.csv").open(encoding="utf-8",
                                                             newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == 13_135
    territories = sum(1 for r in records if int(r["ccode"]) >= 1000 and r["ccode"] != "1036")
    pairs = Counter((r["ccode"], r["year"]) for r in records)
    duplicates = sum(n - 1 for n in pairs.values() if n > 1)
    assert duplicates == 29  # SOURCES.md section 9
    rules = dict(con.execute("select reject.rule, count(*) from "
                             "int_us_troops_country_years_checked group by 1").fetchall())
    assert rules["not_a_cow_state"] == territories
    assert rules["duplicate_key"] == 29
    assert rules["home_state"] == sum(1 for r in records if r["ccode"] == "2")
    assert sum(rules.values()) == 13_135
    # Uzbekistan 2013: 16 (SOURCES.md); Kyrgyzstan (Manas) 2011: 12,135.
    assert con.execute("select ccode, year, troops_active_duty "
                       "from int_us_troops_country_years_checked where reject is null and "
                       "((ccode = 704 and year = 2013) or (ccode = 703 and year = 2011)) "
                       "order by ccode").fetchall() == [(703, 2011, 12_135), (704, 2013, 16)]


def test_exercise_batch_equals_the_pinned_file(con):
    settings = get_settings()
    regenerated, result = batch_rows(RAW / "exercises_supplementary/jme_involving_russia.csv",
                                     settings.seeds_dir / "country_name_overrides.csv")
    assert (result.exercises, result.facts, result.unresolved) == (99, 278, ())
    with (RAW / "register/russia_exercises_2009_2018.csv").open(encoding="utf-8",
                                                                newline="") as handle:
        assert list(csv.DictReader(handle)) == regenerated
    statuses = dict(con.execute(
        "select status, count(*) from int_register_facts_checked "
        "where source_file = 'russia_exercises_2009_2018.csv' and reject is null group by 1"
    ).fetchall())
    # MME covers 2009-2010 (its figure stands); 2011-2018 are shown, never counted.
    assert statuses == {"superseded_by_public_source": 106, "low_confidence": 172}
