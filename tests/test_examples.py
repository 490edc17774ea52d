"""The example queries of sql/examples/ run on published marts and answer what they say.

Each file runs as an analyst would run it (`coop sql -- "$(cat sql/examples/<file>)"`, i.e.
pipelines.query.run_query on the published database, and again on the Parquet files) against
marts published from the synthetic fixture (tests/fixture_data.py). Expected rows are worked
out by hand from the fixture rows; the comments say how.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from pipelines.models import discover_models
from pipelines.query import run_query
from pipelines.settings import PROJECT_ROOT, Settings
from tests.helpers import fixture_project, publish

EXAMPLES_DIR = PROJECT_ROOT / "sql" / "examples"
EXAMPLES = sorted(path.name for path in EXAMPLES_DIR.glob("*.sql"))


def _bloc_share_columns() -> list[str]:
    with (PROJECT_ROOT / "seeds" / "blocs.csv").open(encoding="utf-8") as handle:
        return [f"share_{bloc}" for bloc in sorted({row["bloc"] for row in csv.DictReader(handle)})]


EXPECTED_COLUMNS = {
    "top_partners.sql": [
        "year", "partner_iso3", "partner", "partnership_score", "comprehensiveness", "longevity",
        "reciprocity", "coherence", "longevity_years", "alliance_level",
        "joint_security_igo_full", "joint_igo_full", "joint_exercises",
    ],
    "country_index_trend.sql": [
        "year", "iso3", "country", "institutional", "operational", "composite", "pillar_gap",
        "rank", "n_ranked", "median_rank", "rank_p05", "rank_p95", "most_influential_choice",
    ],
    "compare_two_countries.sql": [
        "year", "iso3_a", "iso3_b", "composite_a", "composite_b", "composite_difference",
        "rank_a", "rank_b", "institutional_a", "institutional_b", "operational_a",
        "operational_b", "alliance", "joint_security_igo_full", "joint_exercises",
        "partnership_score",
    ],
    "biggest_gainers.sql": [
        "iso3", "country", "from_year", "to_year", "composite_from", "composite_to",
        "composite_gain", "rank_from", "rank_to", "ranks_gained",
    ],
    "unga_alignment_with_powers.sql": [
        "year", "iso3", "country", "ideal_point", "distance_rus", "distance_chn", "distance_usa",
        "agreement_rus", "agreement_chn", "agreement_usa", "votes_rus", "votes_chn", "votes_usa",
    ],
    "central_asia_peacekeeping.sql": [
        "year", "iso3", "country", "mission", "locations", "troops_estimated",
        "locations_size_unknown",
    ],
    "bloc_shares_trend.sql": [
        "year", "iso3", "country", "layers_used", *_bloc_share_columns(), "other_share", "hhi",
        "effective_blocs", "largest_bloc",
    ],
}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Marts published once for the module from the synthetic fixture."""
    root = tmp_path_factory.mktemp("examples")
    with fixture_project(root) as settings:
        publish(settings)
        yield settings


def run_example(settings: Settings, name: str) -> list[dict]:
    columns, rows = run_query(settings.published_db, (EXAMPLES_DIR / name).read_text("utf-8"))
    assert columns == EXPECTED_COLUMNS[name]
    return [dict(zip(columns, row, strict=True)) for row in rows]


def test_every_example_has_expectations():
    assert EXAMPLES, "sql/examples/ holds no example"
    assert set(EXAMPLES) == set(EXPECTED_COLUMNS), "add the new example's columns here"


def test_examples_are_not_models():
    """sql/examples/ sits beside the model layers but must never be built as a model."""
    models = discover_models(PROJECT_ROOT / "sql")
    assert not {Path(name).stem for name in EXAMPLES} & set(models)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_header_says_what_it_answers_and_how_to_run_it(name: str):
    text = (EXAMPLES_DIR / name).read_text("utf-8")
    header = [line for line in text.splitlines() if line.startswith("--")]
    assert len(header) >= 3 and text.startswith("-- ")
    assert f'coop sql -- "$(cat sql/examples/{name})"' in text
    assert f"duckdb -readonly marts/coop.duckdb < sql/examples/{name}" in text


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_and_returns_rows(published: Settings, name: str):
    assert run_example(published, name)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_gives_the_same_rows_on_the_parquet_files(published: Settings, name: str):
    """The docs/queries.md recipe: views over marts/<mart>.parquet, then the file unchanged."""
    con = duckdb.connect()
    for path in sorted(published.marts_dir.glob("mart_*.parquet")):
        con.read_parquet(str(path)).create_view(path.stem)
    from_parquet = con.execute((EXAMPLES_DIR / name).read_text("utf-8")).fetchall()
    _columns, from_database = run_query(
        published.published_db, (EXAMPLES_DIR / name).read_text("utf-8")
    )
    assert from_parquet == from_database


def test_top_partners(published: Settings):
    # Kazakhstan (the default) in 2005. Its military ties in the fixture: the 2000 defence pact
    # with Uzbekistan and exercise mme2 (2000) with Uzbekistan and Russia, so both pairs are
    # in mart_partnership from 2000 on; its one 2005 exercise (mme4) is with Uzbekistan. It
    # has no tie with the USA.
    rows = run_example(published, "top_partners.sql")
    assert {row["year"] for row in rows} == {2005}
    exercises = {row["partner_iso3"]: row["joint_exercises"] for row in rows}
    assert exercises == {"UZB": 1, "RUS": 0}
    scores = [row["partnership_score"] for row in rows if row["partnership_score"] is not None]
    assert scores == sorted(scores, reverse=True)


def test_a_variable_set_in_the_session_replaces_the_default(published: Settings):
    # Uzbekistan's pacts of 2000 with Russia, Kazakhstan and the USA put all three pairs in
    # mart_partnership; in 2000 it exercised with the USA (mme1) and with KAZ and RUS (mme2).
    con = duckdb.connect(str(published.published_db), read_only=True)
    try:
        con.execute("set variable iso3 = 'UZB'")
        con.execute("set variable year = 2000")
        rows = con.execute((EXAMPLES_DIR / "top_partners.sql").read_text("utf-8")).fetchall()
    finally:
        con.close()
    columns = EXPECTED_COLUMNS["top_partners.sql"]
    exercises = {row[columns.index("partner_iso3")]: row[columns.index("joint_exercises")]
                 for row in rows}
    assert exercises == {"KAZ": 1, "RUS": 1, "USA": 1}


def test_country_index_trend(published: Settings):
    # Kazakhstan joined on 26 December 1991: not scored in 1991 (part-year rule, 6 months).
    # Fixture coverage: ATOP 1990-2018, COW IGO 1990-2014 (memberships carried forward,
    # flagged, to 2018), MME 1990-2010, IPI 1990-2014, SIPRI arms 1990-2018, Geo-PKO
    # 1994-2018. The institutional pillar runs 1992-2018; the current composite needs an
    # operational indicator too: exercises to 2010, IPI peacekeeping to 2014, and arms
    # transfers and Geo-PKO deployments to 2018, so it runs 1992-2018.
    rows = run_example(published, "country_index_trend.sql")
    assert [row["year"] for row in rows] == list(range(1992, 2019))
    assert {row["iso3"] for row in rows} == {"KAZ"}
    with_composite = [row["year"] for row in rows if row["composite"] is not None]
    assert with_composite == list(range(1992, 2019))
    assert all(
        (row["median_rank"] is not None) == (row["composite"] is not None) for row in rows
    )
    assert all(row["rank_p05"] <= row["rank_p95"] for row in rows if row["rank_p05"] is not None)


def test_compare_two_countries(published: Settings):
    # KAZ and UZB, members from 26 December 1991 (scored from 1992: part-year rule); they
    # exercise together in 2000 (mme2) and 2005 (mme4), and are allied (ATOP) in 2000 only.
    # MME stops in 2010 (NULL after), not 0; commitments are carried forward to 2018.
    rows = {row["year"]: row for row in run_example(published, "compare_two_countries.sql")}
    assert sorted(rows) == list(range(1992, 2019))
    assert {(row["iso3_a"], row["iso3_b"]) for row in rows.values()} == {("KAZ", "UZB")}
    assert [rows[year]["joint_exercises"] for year in (2000, 2001, 2005, 2012)] == [1, 0, 1, None]
    assert [rows[year]["alliance"] for year in (2000, 2001)] == [1, 0]
    row = rows[2000]
    assert row["composite_difference"] == pytest.approx(row["composite_a"] - row["composite_b"],
                                                        abs=0.011)


def test_biggest_gainers(published: Settings):
    # The fixture's current composite ends in 2018 (arms transfers and Geo-PKO reach it), so
    # the decade is 2008-2018. Members in both years: USA, Germany (255, DEU), Czech Republic
    # (316, CZE), Russia, Uzbekistan, Kazakhstan (260 and 315 ended before 2008).
    rows = run_example(published, "biggest_gainers.sql")
    assert {(row["from_year"], row["to_year"]) for row in rows} == {(2008, 2018)}
    assert {row["iso3"] for row in rows} == {"USA", "DEU", "CZE", "RUS", "UZB", "KAZ"}
    gains = [row["composite_gain"] for row in rows]
    assert gains == sorted(gains, reverse=True)
    for row in rows:
        assert row["composite_gain"] == pytest.approx(
            row["composite_to"] - row["composite_from"], abs=0.011)
        assert row["ranks_gained"] == row["rank_from"] - row["rank_to"]


def test_bloc_shares_trend(published: Settings):
    # Kazakhstan's ties in the fixture: 2000 (alliance with UZB; IGOs with UZB and RUS;
    # exercise mme2 with UZB and RUS) and 2005 (exercise mme4 with UZB only). In 2005 every
    # tie goes to a Central Asian state. Arms: Russia delivered BTR-80s to Kazakhstan in 2016
    # and 2017 (fixture SIPRI deal 2), a tie for the trailing 5 years within the fixture's
    # years (to 2018): all of it with Russia.
    rows = {row["year"]: row for row in run_example(published, "bloc_shares_trend.sql")}
    assert sorted(rows) == [2000, 2005, 2016, 2017, 2018]
    assert rows[2016]["layers_used"] == "arms"
    assert rows[2018]["share_russia_csto"] == pytest.approx(1.0)
    assert rows[2005]["layers_used"] == "joint_exercise"
    assert rows[2005]["share_central_asia"] == pytest.approx(1.0)
    assert rows[2005]["other_share"] == pytest.approx(0.0)
    assert rows[2005]["largest_bloc"] == "central_asia"
    assert rows[2000]["share_russia_csto"] > 0


def test_unga_alignment_with_powers(published: Settings):
    # Uzbekistan (the default) 2016-2024; the fixture frame ends in 2018 and its UNGA votes
    # and ideal points are of 2000 only, so 2016-2018 are listed with every value NULL.
    rows = run_example(published, "unga_alignment_with_powers.sql")
    assert [row["year"] for row in rows] == [2016, 2017, 2018]
    assert all(row[c] is None for row in rows for c in ("ideal_point", "agreement_usa"))
    # In 2000 (tests/fixture_data.py, UNGA_VOTES): with the USA 1 identical vote of 2 shared,
    # with Russia 0 of 2; ideal points -0.25 (UZB), 1.5 (USA), -0.5 (RUS); China is not in
    # the fixture state list.
    con = duckdb.connect(str(published.published_db), read_only=True)
    try:
        con.execute("set variable from_year = 2000")
        con.execute("set variable to_year = 2000")
        found = con.execute(
            (EXAMPLES_DIR / "unga_alignment_with_powers.sql").read_text("utf-8")).fetchall()
    finally:
        con.close()
    columns = EXPECTED_COLUMNS["unga_alignment_with_powers.sql"]
    row = dict(zip(columns, found[0], strict=True))
    assert (row["ideal_point"], row["distance_usa"], row["distance_rus"]) == (-0.25, 1.75, 0.25)
    assert (row["agreement_usa"], row["votes_usa"], row["agreement_rus"], row["votes_rus"]) == (
        0.5, 2, 0.0, 2)
    assert (row["agreement_chn"], row["distance_chn"]) == (None, None)


def test_central_asia_peacekeeping(published: Settings):
    # Geo-PKO fixture (tests/fixture_data.py, GEO_PKO): in 2016 Kazakhstan has MINUSMA at Gao
    # (150) and Timbuktu (650); Uzbekistan MINUSMA Timbuktu (35) and UNIFIL Naqoura (size
    # unknown); in 2017 Kazakhstan UNIFIL Tyre (150). Russia and the USA are not Central Asian.
    rows = run_example(published, "central_asia_peacekeeping.sql")
    assert [(r["year"], r["iso3"], r["mission"], r["locations"], r["troops_estimated"],
             r["locations_size_unknown"]) for r in rows] == [
        (2016, "KAZ", "MINUSMA", 2, 800, 0),
        (2017, "KAZ", "UNIFIL", 1, 150, 0),
        (2016, "UZB", "MINUSMA", 1, 35, 0),
        (2016, "UZB", "UNIFIL", 1, 0, 1),
    ]
