"""A new source and indicator, added the way docs/contributing.md says, reach every stage.

In a scratch project (synthetic fixture data, a copy of sql/ and indices.toml), the test adds
a SYNTHETIC source `xdemo` (one adapter module, one manifest entry and its file, its SQL
chain: staging, checked, country-year aggregate), one join and one documented column in
mart_country_year, and one [[indicators]] entry in indices.toml, then refreshes. Its rows
must reach the quarantine (through the generated union, no edit), the mart (NULL outside its
years, 0 inside), the gate (the adapter's suite runs), the dictionary, the index and the
country page (the source's label). Missing the adapter is refused by name.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

import pipelines.sources as sources_package
from pipelines import dictionary
from pipelines.db import connect_published
from pipelines.errors import InputFileError
from pipelines.reports.site import render_site
from pipelines.settings import PROJECT_ROOT, get_settings
from tests.helpers import fixture_project, publish, rows

ADAPTER = '''
"""SYNTHETIC test source: demonstration events per state and year."""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "xdemo"
LABEL = "demonstration events (test source)"
FILES = (CsvSpec(file_name="events", table="raw_xdemo__events",
                 columns=("ccode", "year", "events")),)


def accepted_suite(kit):
    e = kit.expectations
    first, last = kit.coverage(SOURCE_ID)
    return kit.suite(
        "source_xdemo",
        kit.member_flags(["ccode"], kit.accepted("int_xdemo_events_checked")),
        [
            e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
            e.ExpectColumnValuesToBeInSet(column="ccode_is_member", value_set=[True]),
        ],
        kit.last_rows("int_xdemo_events_checked"),
    )
'''

# ccode, year, events. Coverage 1995-2005. Uzbekistan 2000: 3 + 4 = 7; Kazakhstan 2000: 0
# (no row, inside the years); 999 is no COW state (quarantined); 1990 is outside coverage
# (quarantined).
EVENTS = "ccode,year,events\n704,2000,3\n704,2000,4\n999,2000,1\n704,1990,2\n365,2001,5\n"

STAGING = """
-- grain: one row per record of the xdemo events file
-- key: row_number
with

source as (
    select * from raw_xdemo__events
),

final as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        as_int(ccode) as ccode,
        cast(as_int(year) as integer) as year,
        as_int(events) as events,
        cast(null as struct(rule varchar, column_name varchar, value varchar)) as reject
    from source
)

select * from final
"""

CHECKED = """
-- grain: one row per xdemo record, valid or rejected
-- key: row_number
with

events as (
    select * from stg_xdemo__events
),

final as (
    select
        events.* exclude (reject),
        coalesce(
            events.reject,
            reject_outside_coverage('xdemo', events.year, 'year', events.year),
            reject_unknown_state(events.ccode, 'ccode'),
            reject_not_member(events.ccode, events.year, 'ccode, year')
        ) as reject
    from events
)

select * from final
"""

AGGREGATED = """
-- grain: one row per (ccode, year) of the frame inside xdemo's coverage years
-- key: ccode, year
-- not_null: ccode, year, xdemo_events
with

frame as (
    select * from covered_country_years('xdemo')
),

events as (
    select
        ccode,
        year,
        sum(events) as events
    from int_xdemo_events_checked
    where reject is null
    group by ccode, year
),

final as (
    select
        frame.ccode,
        frame.year,
        coalesce(events.events, 0) as xdemo_events
    from frame
    left join events on frame.ccode = events.ccode and frame.year = events.year
)

select * from final
"""

COLUMN = """
[columns.xdemo_events]
type = "HUGEINT"
meaning = "Demonstration events of the state that year (SYNTHETIC test source)."
unit = "events"
sources = ["xdemo"]
checks = { min = 0 }
"""

INDICATOR = """
[[indicators]]
name = "xdemo_events"
pillar = "operational"
direction = "positive"
transform = "log1p"
weight = 0.1
goalposts = [0, 10]
source = "xdemo"
"""


def _manifest_entry(sha256: str) -> str:
    return textwrap.dedent(f"""
        [sources.xdemo]
        dataset = "xdemo (SYNTHETIC test source)"
        version = "1"
        citation = "Written for tests/test_plugin.py."
        origin = "tests"
        licence = "none"
        code_system = "cow"
        first_year = 1995
        last_year = 2005
        role = "event"

        [[sources.xdemo.files]]
        name = "events"
        path = "xdemo/events.csv"
        sha256 = "{sha256}"
        """)


@pytest.fixture
def adapter_dir(tmp_path, monkeypatch):
    """pipelines/sources/ extended by one more module (as if the file had been added)."""
    folder = tmp_path / "adapters"
    folder.mkdir()
    monkeypatch.setattr(sources_package, "__path__", [*sources_package.__path__, str(folder)])
    yield folder
    sys.modules.pop("pipelines.sources.xdemo", None)
    monkeypatch.undo()
    sources_package.discover()


def _add_sql(sql: Path) -> None:
    (sql / "staging" / "stg_xdemo__events.sql").write_text(STAGING.lstrip(), "utf-8")
    (sql / "intermediate" / "int_xdemo_events_checked.sql").write_text(CHECKED.lstrip(), "utf-8")
    (sql / "intermediate" / "int_xdemo_country_years_aggregated.sql").write_text(
        AGGREGATED.lstrip(), "utf-8")
    mart = sql / "marts" / "mart_country_year.sql"
    text = mart.read_text("utf-8")
    text = text.replace("register as (", "xdemo as (\n    select * from "
                        "int_xdemo_country_years_aggregated\n),\n\nregister as (", 1)
    # the source's column goes last, as its [columns] entry does in the metadata file
    assert "\n    from frame\n" in text
    text = text.replace("\n    from frame\n", ",\n        xdemo.xdemo_events\n    from frame\n", 1)
    text = text.replace("    left join register on", "    left join xdemo on frame.ccode = "
                        "xdemo.ccode and frame.year = xdemo.year\n    left join register on", 1)
    mart.write_text(text, "utf-8")
    meta = sql / "marts" / "mart_country_year.toml"
    meta.write_text(meta.read_text("utf-8") + COLUMN, "utf-8")


def test_a_new_source_and_indicator_reach_every_stage(tmp_path, adapter_dir, monkeypatch):
    with fixture_project(tmp_path / "project") as settings:
        # 1. the source's file and its one manifest entry
        raw = settings.raw_dir / "xdemo" / "events.csv"
        raw.parent.mkdir()
        raw.write_text(EVENTS, "utf-8")
        sha = hashlib.sha256(raw.read_bytes()).hexdigest()
        manifest = settings.sources_manifest
        manifest.write_text(manifest.read_text("utf-8") + _manifest_entry(sha), "utf-8")
        # 2. without its adapter, the manifest entry is refused by name
        with pytest.raises(InputFileError, match="xdemo have no adapter in pipelines/sources/"):
            publish(settings)
        # 3. the adapter module: discovered, nothing else lists it
        (adapter_dir / "xdemo.py").write_text(ADAPTER, "utf-8")
        sources_package.discover()
        assert "xdemo" in sources_package.ADAPTERS
        # 4. the SQL chain, the mart join and column, the indicator
        sql = settings.root / "sql"
        shutil.copytree(PROJECT_ROOT / "sql", sql)
        for name in ("docs", "seeds"):  # files the column documentation may cite
            (settings.root / name).symlink_to(PROJECT_ROOT / name)
        _add_sql(sql)
        indices = settings.root / "indices.toml"
        indices.write_text((PROJECT_ROOT / "indices.toml").read_text("utf-8") + INDICATOR,
                           "utf-8")
        monkeypatch.setenv("COOP_SQL_DIR", str(sql))
        monkeypatch.setenv("COOP_INDICES_FILE", str(indices))
        settings = get_settings()
        published = publish(settings)
        assert published is not None

    con = connect_published(settings.published_db)
    try:
        # the quarantine: the unknown state and the year outside coverage, with their rules
        assert rows(con, "select row_number, rule from mart_quarantine where source_id = "
                         "'xdemo' order by row_number") == [
            (3, "unknown_country_code"), (4, "outside_coverage")]
        # the mart: 7 inside the years, 0 for a state without events, NULL outside
        values = dict(((c, y), v) for c, y, v in rows(
            con, "select ccode, year, xdemo_events from mart_country_year "
                 "where ccode in (704, 705) and year in (1994, 2000)"))
        assert values == {(704, 2000): 7, (705, 2000): 0, (704, 1994): None, (705, 1994): None}
        # the index: the operational pillar has one more indicator than the shipped definition
        shipped = tomllib.loads((PROJECT_ROOT / "indices.toml").read_text("utf-8"))
        operational = sum(i["pillar"] == "operational" for i in shipped["indicators"])
        assert rows(con, "select operational_indicators_total from mart_cooperation_index "
                         "where ccode = 704 and year = 2000") == [(operational + 1,)]
    finally:
        con.close()
    # the gate ran the adapter's suite on the accepted rows
    suite = _published_gate(settings)["suites"]["source_xdemo"]
    assert {key: suite[key] for key in ("rows", "expectations", "failed")} == {
        "rows": 3, "expectations": 2, "failed": 0}
    # the dictionary documents the new column with its source's years
    con = connect_published(settings.published_db)
    try:
        sources = dictionary.sources_from_marts(con)
        assert dictionary.documentation_problems(con, settings.sql_dir, sources) == []
        text = dictionary.markdown(dictionary.collect_marts(con, settings.sql_dir), sources)
    finally:
        con.close()
    assert "| `xdemo_events` | HUGEINT | Demonstration events" in text
    assert "`xdemo` 1995–2005" in text
    # the country page lists the source with its adapter's LABEL (the indicator charts of
    # the page come from pipelines/reports/pages.py INDICATORS, not yet from indices.toml)
    render_site(settings)
    page = (settings.reports_dir / "country" / "UZB.html").read_text("utf-8")
    assert ("<td>xdemo (SYNTHETIC test source)</td>"
            "<td>demonstration events (test source)</td>") in page


def _published_gate(settings) -> dict:
    from pipelines.publish import read_published_manifest

    return read_published_manifest(settings)["gate"]
