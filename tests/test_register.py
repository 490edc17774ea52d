"""The analysts' register (issue 6): `coop register check`, the template, the Uzbekistan seed,
and register facts flowing into the marts on the synthetic fixture (precedence over public
sources, no double counting, the frame after 2018, the index rule, quarantine).

Register rows here are synthetic, written for the tests; the expected values are worked out by
hand in the comments. Fixture coverage: ATOP 1990-2018, COW IGO 1990-2014, MME 1990-2010,
IPI 1990-2014; states in 2012: USA 2, Germany 255, Czech Republic 316, Russia 365,
Uzbekistan 704, Kazakhstan 705 (6 states).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.errors import InputFileError
from pipelines.mart_metadata import read_marts
from pipelines.register.check import check_file
from pipelines.register.indices import mask_thin_register_values
from pipelines.register.template import write_template
from pipelines.settings import PROJECT_ROOT, get_settings
from pipelines.sources import register
from tests.helpers import build_work_db, fixture_project, rows

HEADER = list(register.COLUMNS)
CITE = "Synthetic test source"


def fact(**values) -> dict:
    row = dict.fromkeys(HEADER, "")
    row.update({"country": "UZB", "family": "exercise", "count": "1",
                "source_citation": CITE, "confidence": "reported"})
    row.update({key: str(value) for key, value in values.items()})
    return row


def write_register(path: Path, facts: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(facts)
    return path


# --- coop register check ----------------------------------------------------------------------

BAD_ROWS = [
    # (row, rule): one fact per reason of the issue, plus the other rules.
    (fact(date="2012-05-01", partner_type="state", partner="KAZ"), None),
    (fact(year=2012, country="XYZ"), "unknown_country"),
    (fact(year=2012, family="parade"), "unknown_family"),
    (fact(year=2012, source_citation=""), "missing_source"),
    (fact(year=2012, count="-1"), "negative_count"),
    (fact(year=2012, count="1.5"), "not_integer"),
    (fact(year=2012, count=""), "not_integer"),
    (fact(year=1700), "implausible_date"),
    (fact(date=f"{dt.date.today().year + 1}-01-01"), "implausible_date"),
    (fact(date="2012-05-01", partner_type="state", partner="KAZ"), "duplicate_fact"),
    (fact(year=2012, confidence="maybe"), "unknown_confidence"),
    (fact(year=2012, source_url="ftp://example.org"), "invalid_url"),
    (fact(year=1985), "not_system_member"),  # Uzbekistan joins the system in 1991
    (fact(year=2012, family="alliance", partner_type="organisation", partner="NATO"),
     "partner_not_allowed"),
    (fact(year=2012, partner_type="state", partner="UZB"), "self_dyad"),
    (fact(year=2012, partner_type="state", partner="ATL"), "unknown_partner"),
    (fact(year=2012, partner="KAZ"), "missing_partner_type"),
    (fact(date="2012-02-30"), "not_a_date"),
    (fact(date="2012-02-03", year=2013), "date_year_mismatch"),
    (fact(year=2012, count_qualifier="roughly"), "unknown_qualifier"),
    (fact(year=2012, country=""), "null_key"),
    (fact(year=2012, family="Visit or meeting", country="704"), None),  # words normalised
]


@pytest.fixture
def settings(project):
    return project


def test_check_lists_every_bad_row_with_its_rule_and_row_number(settings, tmp_path):
    candidate = write_register(tmp_path / "draft.csv", [row for row, _ in BAD_ROWS])
    result = check_file(settings, candidate)
    expected = [(n, rule) for n, (_, rule) in enumerate(BAD_ROWS, start=1) if rule]
    assert [(p.row_number, p.rule) for p in result.problems] == expected
    assert result.rows == len(BAD_ROWS)
    assert result.accepted == 2
    by_row = {p.row_number: p.reason for p in result.problems}
    # Every rule has a description in seeds/quarantine_rules.csv or seeds/register_rules.csv.
    assert [p.rule for p in result.problems if p.reason.startswith(f"{p.rule}:")] == []
    assert by_row[2] == ("the country is neither a known ISO3 code nor a COW ccode (for an ISO3 "
                         "code: none valid on the fact's date): country = XYZ")
    assert by_row[4] == "every fact needs a source citation: source_citation = NULL"
    assert by_row[10].endswith("(first in draft.csv row 1)")


def test_check_finds_duplicates_of_facts_already_in_the_register(settings, tmp_path):
    existing = fact(date="2012-05-01", partner_type="state", partner="KAZ")
    write_register(settings.raw_dir / "register" / "kept.csv", [existing])
    candidate = write_register(tmp_path / "new.csv", [
        fact(year=2013),
        dict(existing, source_citation=f" {CITE.upper()} "),  # same citation, case and spaces
        dict(existing, source_citation="Another source"),  # another source: not a duplicate
    ])
    result = check_file(settings, candidate)
    assert [(p.row_number, p.rule) for p in result.problems] == [(2, "duplicate_fact")]
    assert "(first in kept.csv row 1)" in result.problems[0].reason
    assert result.compared_with == ["kept.csv"]
    # Checking kept.csv itself replaces it rather than comparing it with itself.
    assert check_file(settings, settings.raw_dir / "register" / "kept.csv").ok


def test_check_command_prints_reasons_and_exits_1(settings, tmp_path):
    candidate = write_register(tmp_path / "draft.csv", [row for row, _ in BAD_ROWS[:4]])
    result = CliRunner().invoke(main, ["register", "check", str(candidate)])
    assert result.exit_code == 1
    assert "4 row(s), 1 valid, 3 bad" in result.output
    assert "  row 3: the family is not in seeds/register_families.csv: family = parade" in (
        result.output)
    assert "1 unknown_country" in result.output
    assert "Traceback" not in result.output
    good = write_register(tmp_path / "good.csv", [BAD_ROWS[0][0]])
    result = CliRunner().invoke(main, ["register", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 valid, 0 bad" in result.output and "1 counted" in result.output


def test_wrong_header_is_a_file_level_error_naming_the_file(settings, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("date,year,nation\n,2012,UZB\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"wrong\.csv: header .* missing column\(s\) country"):
        check_file(settings, path)
    result = CliRunner().invoke(main, ["register", "check", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(",".join(HEADER) + "\n,2012,UZB\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"ragged\.csv: row 1 .* 3 fields"):
        check_file(settings, ragged)


def test_xlsx_register_is_read_like_csv(settings, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    good = fact()
    sheet.append([dt.datetime(2012, 5, 1) if c == "date" else
                  2012.0 if c == "year" else 3 if c == "count" else good[c] or None
                  for c in HEADER])
    sheet.append([None] * len(HEADER))  # a blank row keeps its place in the numbering
    sheet.append([None, 2012, "XYZ", None, None, "exercise", None, 1, None, CITE, None,
                  "reported", None])
    path = tmp_path / "facts.xlsx"
    workbook.save(path)
    assert register.read_rows(path)[0] == (1, ["2012-05-01", "2012", "UZB", None, None,
                                               "exercise", None, "3", None, CITE, None,
                                               "reported", None])
    result = check_file(settings, path)
    assert result.rows == 2
    assert [(p.row_number, p.rule) for p in result.problems] == [(3, "unknown_country")]
    assert result.statuses == {"counted": 1}


def test_templates_are_valid_and_excluded_from_loading(settings, tmp_path):
    shipped = PROJECT_ROOT / "raw" / "register" / "TEMPLATE.csv"
    assert shipped.read_text(encoding="utf-8").splitlines() == [",".join(HEADER)]
    assert register.register_files(PROJECT_ROOT / "raw" / "register") == [
        PROJECT_ROOT / "raw" / "register" / "russia_exercises_2009_2018.csv",
        PROJECT_ROOT / "raw" / "register" / "uzbekistan_kulliev.csv"]
    for name in ("TEMPLATE.xlsx", "blank.csv"):
        path = write_template(tmp_path / name, settings.seeds_dir)
        result = check_file(settings, path)
        assert (result.rows, result.problems) == (0, [])
    with pytest.raises(Exception, match="already exists"):
        write_template(tmp_path / "blank.csv", settings.seeds_dir)
    result = CliRunner().invoke(main, ["register", "template", str(tmp_path / "x.txt")])
    assert result.exit_code == 1 and ".csv or .xlsx" in result.output


def test_uzbekistan_seed_is_valid_and_faithful(monkeypatch):
    for name in [n for n in os.environ if n.startswith("COOP_")]:
        monkeypatch.delenv(name)
    path = PROJECT_ROOT / "raw" / "register" / "uzbekistan_kulliev.csv"
    result = check_file(get_settings(), path)
    assert (result.rows, result.problems) == (10, [])
    assert result.statuses == {"undated": 9, "no_mart_column": 1}
    with path.open(encoding="utf-8", newline="") as handle:
        facts = {(r["family"], r["subtype"]): r for r in csv.DictReader(handle)}
    assert {r["source_citation"] for r in facts.values()} == {
        'I. Kulliev, "The system of international relations in the military sphere and its '
        'theoretical foundations", ISSN 2053-3578'}
    counts = {key: (int(r["count"]), r["count_qualifier"], r["year"]) for key, r in facts.items()}
    assert counts == {
        ("diplomatic_relations", ""): (142, "exact", ""),
        ("diplomatic_mission_abroad", "diplomatic_and_consular"): (59, "exact", ""),
        ("membership", "international_organisation"): (100, "at_least", ""),
        ("hosted_foreign_mission", "embassy"): (46, "exact", ""),
        ("hosted_foreign_mission", "consulate_general"): (3, "exact", ""),
        ("hosted_foreign_mission", "honorary_consul"): (13, "exact", ""),
        ("hosted_foreign_mission", "international_organisation_representation"): (
            24, "exact", ""),
        ("hosted_foreign_mission", "foreign_government_organisation_representation"): (
            26, "exact", ""),
        ("hosted_foreign_mission", "trade_mission"): (1, "exact", ""),
        ("visit_or_meeting", "high_level_meeting"): (1000, "approximately", "2022"),
    }
    assert "over 100" in facts[("membership", "international_organisation")]["notes"]
    assert "nearly 1,000" in facts[("visit_or_meeting", "high_level_meeting")]["notes"]
    assert all("undated" in r["notes"] for r in facts.values() if not r["year"])


def test_seeds_map_families_only_to_wired_columns_and_rules_do_not_clash():
    with (PROJECT_ROOT / "seeds" / "register_families.csv").open(encoding="utf-8") as handle:
        families = list(csv.DictReader(handle))
    mapped = {r["mart_column"]: r["public_source"] for r in families if r["mart_column"]}
    # mart_country_year.toml accepts, in each <column>_source, its public source or the register
    columns = read_marts(PROJECT_ROOT / "sql")["mart_country_year"].columns
    declared = {
        name.removesuffix("_source"): column.checks["values"]
        for name, column in columns.items() if name.endswith("_source")
    }
    assert declared == {column: [source, "register"] for column, source in mapped.items()}
    aggregated = (PROJECT_ROOT / "sql" / "intermediate"
                  / "int_register_country_years_aggregated.sql").read_text(encoding="utf-8")
    for column in mapped:
        assert f"as {column}" in aggregated
    rules = {}
    for name in ("quarantine_rules", "register_rules"):
        with (PROJECT_ROOT / "seeds" / f"{name}.csv").open(encoding="utf-8") as handle:
            rules[name] = {r["rule"] for r in csv.DictReader(handle)}
    assert not rules["quarantine_rules"] & rules["register_rules"]
    sql = "".join(path.read_text(encoding="utf-8") for path in (
        PROJECT_ROOT / "sql/staging/stg_register__facts.sql",
        PROJECT_ROOT / "sql/intermediate/int_register_facts_checked.sql"))
    assert [rule for rule in sorted(rules["register_rules"]) if f"'{rule}'" not in sql] == []


# --- the index rule, on a hand-made panel -----------------------------------------------------

def test_register_values_enter_the_index_only_where_most_states_are_observed():
    panel = pd.DataFrame({
        "ccode": [1, 2, 3, 4, 1, 2, 3, 4, 1],
        "year": [2011, 2011, 2011, 2011, 2012, 2012, 2012, 2012, 2013],
        "exercises": [5, 4, np.nan, np.nan, 7, np.nan, np.nan, np.nan, 9],
        "exercises_source": ["register", "register", None, None, "register", None, None, None,
                             "register"],
        "igo_full": [30, 20, 10, 5, 31, 21, 11, 6, np.nan],
        "igo_full_source": ["cow_igo"] * 8 + [None],
    })
    # 4 states in 2011 and 2012; 2013 lies after the frame: the last year's 4 states count.
    states = pd.Series({2011: 4, 2012: 4})
    masked, counts = mask_thin_register_values(panel, ["exercises", "igo_full"], states)
    # 2011: 2 of 4 observed (share 0.5) -> kept; 2012: 1 of 4 -> masked; 2013: 1 of 4 -> masked.
    assert masked["exercises"].tolist()[:2] == [5, 4]
    assert masked["exercises"].isna().tolist()[4:] == [True] * 5
    assert counts == {"exercises": 2, "igo_full": 0}
    assert masked["igo_full"].equals(panel["igo_full"])


# --- register facts through the whole refresh -------------------------------------------------

FLOW_FACTS = {
    "a_facts.csv": [
        # 1. inside MME's years: the public figure (3 exercises in 2000) stands.
        fact(year=2000, partner_type="state", partner="KAZ", count=9),
        # 2-5. Uzbekistan 2012: the same exercise with Kazakhstan from two sources (max 1),
        # one with Russia (1), and a country-level total of 3: max(3, 1 + 1) = 3, not 6.
        fact(date="2012-03-01", partner_type="state", partner="KAZ", source_citation="A"),
        fact(date="2012-03-01", partner_type="state", partner="KAZ", source_citation="B"),
        fact(date="2012-06-01", partner_type="state", partner="RUS", source_citation="A"),
        fact(year=2012, count=3, source_citation="C"),
        # 6. the same fact and citation as row 2: duplicate_fact.
        fact(date="2012-03-01", partner_type="state", partner="KAZ", source_citation="A"),
        # 7-9. Kazakhstan 2013: total 3, bilateral 2 + multilateral 2 -> max(3, 4) = 4.
        fact(country="KAZ", year=2013, count=3),
        fact(country="KAZ", year=2013, subtype="bilateral", count=2),
        fact(country="KAZ", year=2013, subtype="multilateral", count=2),
        # 10. approximate: shown, not added.
        fact(year=2011, count=5, count_qualifier="approximately"),
        # 11. 2022 membership of the SCO: fills igo_full (COW IGO ends 2014), frame to 2022.
        fact(year=2022, family="membership", partner_type="organisation", partner="SCO"),
        # 12. no public counterpart; 13. undated.
        fact(year=2012, family="visit_or_meeting", count=10),
        fact(family="diplomatic_relations", count=142, notes="no year in the source"),
    ],
    "b_more.csv": [
        fact(date="2012-06-01", partner_type="state", partner="RUS", source_citation="A"),
        fact(year=2012, family="parade"),
    ],
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    root = tmp_path_factory.mktemp("register_flow")
    with fixture_project(root) as settings:
        for name, facts in FLOW_FACTS.items():
            write_register(root / "raw" / "register" / name, facts)
        (root / "raw" / "register" / "TEMPLATE.csv").write_text("not,a,register\n")
        run, summary = build_work_db(settings)
        con = duckdb.connect(str(run.work_db), read_only=True)
        yield con, summary
        con.close()


def test_every_accepted_fact_is_in_mart_register_facts_with_its_status(flow):
    con, _ = flow
    got = rows(con, "select register_file, row_number, iso3, year, family, count, "
                    "count_qualifier, status from mart_register_facts order by all")
    assert got == [
        ("a_facts.csv", 1, "UZB", 2000, "exercise", 9, "exact", "superseded_by_public_source"),
        ("a_facts.csv", 2, "UZB", 2012, "exercise", 1, "exact", "counted"),
        ("a_facts.csv", 3, "UZB", 2012, "exercise", 1, "exact", "counted"),
        ("a_facts.csv", 4, "UZB", 2012, "exercise", 1, "exact", "counted"),
        ("a_facts.csv", 5, "UZB", 2012, "exercise", 3, "exact", "counted"),
        ("a_facts.csv", 7, "KAZ", 2013, "exercise", 3, "exact", "counted"),
        ("a_facts.csv", 8, "KAZ", 2013, "exercise", 2, "exact", "counted"),
        ("a_facts.csv", 9, "KAZ", 2013, "exercise", 2, "exact", "counted"),
        ("a_facts.csv", 10, "UZB", 2011, "exercise", 5, "approximately", "not_exact"),
        ("a_facts.csv", 11, "UZB", 2022, "membership", 1, "exact", "counted"),
        ("a_facts.csv", 12, "UZB", 2012, "visit_or_meeting", 10, "exact", "no_mart_column"),
        ("a_facts.csv", 13, "UZB", None, "diplomatic_relations", 142, "exact", "undated"),
    ]
    undated = rows(con, "select is_dated, source_citation, notes, status_note, file_sha256 "
                        "from mart_register_facts where row_number = 13")[0]
    assert undated[:4] == (False, CITE, "no year in the source",
                           "undated: kept out of every year-based figure")
    assert re.fullmatch(r"[0-9a-f]{64}", undated[4])


def test_public_figures_stand_and_register_fills_outside_their_years(flow):
    con, _ = flow
    got = rows(con, "select ccode, year, exercises, exercises_source, igo_full, igo_full_source, "
                    "register_facts from mart_country_year "
                    "where (ccode, year) in ((704, 2000), (704, 2011), (704, 2012), (705, 2013), "
                    "(704, 2022), (2, 2012)) order by all")
    # igo_full inside COW IGO's years is the public count (0 here), never the register's.
    assert got == [
        (2, 2012, None, None, 0, "cow_igo", 0),
        (704, 2000, 3, "mme", 3, "cow_igo", 1),
        (704, 2011, None, None, 0, "cow_igo", 1),
        (704, 2012, 3, "register", 0, "cow_igo", 5),
        (704, 2022, None, None, 1, "register", 1),
        (705, 2013, 4, "register", 0, "cow_igo", 3),
    ]


def test_frame_extends_only_for_states_with_later_register_facts_and_stays_null(flow):
    con, _ = flow
    assert rows(con, "select ccode, max(year) from mart_country_year "
                     "where ccode in (2, 704, 705) group by ccode order by ccode") == [
        (2, 2018), (704, 2022), (705, 2018)]
    extended = rows(con, "select year, alliance_partners_total, alliance_partners_total_source, "
                         "igo_full, exercises, pko_personnel_mean, register_facts "
                         "from mart_country_year where ccode = 704 and year > 2018 order by year")
    assert extended == [
        (2019, None, None, None, None, None, 0),
        (2020, None, None, None, None, None, 0),
        (2021, None, None, None, None, None, 0),
        (2022, None, None, 1, None, None, 1),
    ]
    # No dyads or network nodes are invented for the register-only years.
    assert rows(con, "select max(year) from mart_dyad_year") == [(2018,)]


def test_register_only_values_do_not_create_scores_or_ranks(flow):
    con, summary = flow
    # exercises: Uzbekistan 2012 and Kazakhstan 2013 are each 1 of 6 states. igo_full is no
    # longer an index indicator (methodology v2), so nothing of it is masked.
    assert summary["indices"]["register_values_masked"]["exercises"] == 2
    assert "igo_full" not in summary["indices"]["register_values_masked"]
    # 2012: the current composite rests on the public commitments and peacekeeping; the
    # masked register exercise is not in the year's indicator set. 2022: register only -> NULL.
    indicator_set, = rows(con, "select indicator_set from mart_cooperation_index "
                               "where ccode = 704 and year = 2012")[0]
    assert "exercises" not in indicator_set
    got = rows(con, "select year, operational, composite, rank from mart_cooperation_index "
                    "where ccode = 704 and year = 2022")
    assert got == [(2022, None, None, None)]


def test_bad_register_rows_are_quarantined_with_reasons(flow):
    con, summary = flow
    got = rows(con, "select source_file, row_number, rule, reason from mart_quarantine "
                    "where source_id = 'register' order by all")
    assert [row[:3] for row in got] == [
        ("a_facts.csv", 6, "duplicate_fact"),
        ("b_more.csv", 1, "duplicate_fact"),
        ("b_more.csv", 2, "unknown_family"),
    ]
    assert got[1][3].endswith("(first in a_facts.csv row 4)")
    assert got[2][3] == "the family is not in seeds/register_families.csv: family = parade"
    assert summary["sources"]["register/b_more.csv"] == {
        "loaded": 0, "quarantined": {"duplicate_fact": 1, "unknown_family": 1}}
    assert summary["raw_rows"]["raw_register__facts"] == 15
    assert set(summary["raw_checksums"]) >= {"register/a_facts.csv", "register/b_more.csv"}
    assert "register/TEMPLATE.csv" not in summary["raw_checksums"]
    suites = summary["gate"]["suites"]
    assert suites["source_register"]["rows"] == 12 and suites["source_register"]["failed"] == 0
    assert suites["mart_register_facts"]["failed"] == 0
