"""SYNTHETIC event files for the event-layer tests: a few GDELT 2.0 export rows and ICEWS rows
chosen for their edge cases (a repeated GLOBALEVENTID, reports of one event collapsed, a region
actor, an actor with no country, a bad row, a date in another year). Not real events."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.events.formats import GDELT, GDELT_COLUMNS, ICEWS, ICEWS_HEADER
from pipelines.events.ingest import convert_file

GDELT_FILE = "20190301120000.export.CSV"  # covers 2019-03-01 12:00-12:15


def gdelt_row(event_id, sql_date, a1, a1_country, a2, a2_country, code, goldstein="3.0",
              mentions="2", sources="1", articles="2") -> str:
    values = dict.fromkeys(GDELT_COLUMNS, "")
    values.update(
        global_event_id=str(event_id), sql_date=sql_date, year=sql_date[:4], actor1_code=a1,
        actor1_country_code=a1_country, actor2_code=a2, actor2_country_code=a2_country,
        event_code=code, event_base_code=code[:3], event_root_code=code[:2],
        goldstein_scale=goldstein, num_mentions=mentions, num_sources=sources,
        num_articles=articles, date_added="20190301120000",
    )
    return "\t".join(values[c] for c in GDELT_COLUMNS)


GDELT_ROWS = [
    # 1, 2: two reports of one event (same day, actors, code): one event, 2+3 mentions
    gdelt_row(1, "20190301", "UZB", "UZB", "RUS", "RUS", "042", "1.9", "2", "1"),
    gdelt_row(2, "20190301", "UZB", "UZB", "RUS", "RUS", "042", "1.9", "3", "2"),
    # 3: the same GLOBALEVENTID again (a re-delivered row): counted once
    gdelt_row(1, "20190301", "UZB", "UZB", "RUS", "RUS", "042", "1.9", "2", "1"),
    # 4: another day, same dyad and family (visit hosted)
    gdelt_row(4, "20190228", "UZB", "UZB", "RUS", "RUS", "043", "2.8", "1", "1"),
    # 5: reverse direction, military cooperation
    gdelt_row(5, "20190301", "RUS", "RUS", "UZB", "UZB", "062", "6.0", "4", "2"),
    # 6: a region actor (EUR) to a state: non-state, kept apart
    gdelt_row(6, "20190301", "EUR", "EUR", "UZB", "UZB", "057", "8.0"),
    # 7: actor 2 has no country
    gdelt_row(7, "20190301", "UZB", "UZB", "", "", "0312", "5.0"),
    # 8: bad date: quarantined
    gdelt_row(8, "2019030", "UZB", "UZB", "RUS", "RUS", "042"),
    # 9: an event dated in the previous year, reported in this window (2018: no coverage)
    gdelt_row(9, "20181231", "KAZ", "KAZ", "UZB", "UZB", "190", "-10.0"),
]

ICEWS_ROWS = [
    # id, date, source, sectors, country, text, code, intensity, target, sectors, country
    ("101", "2019-03-01", "Government (Uzbekistan)", "Government", "Uzbekistan", "Consult",
     "040", "1.0", "Government (Russia)", "Government", "Russian Federation"),
    ("102", "2019-03-01", "Government (Uzbekistan)", "Government", "Uzbekistan", "Consult",
     "040", "1.0", "Government (Russia)", "Government", "Russian Federation"),
    ("103", "2019-03-02", "Military (Russia)", "Military", "Russian Federation", "Aid",
     "072", "7.4", "Military (Uzbekistan)", "Military", "Uzbekistan"),
    ("104", "2019-03-02", "Citizen (Uzbekistan)", "Social", "NA", "Fight", "190", "-10.0",
     "Police (Uzbekistan)", "Police", "Uzbekistan"),
    ("bad", "2019-03-02", "X", "X", "Uzbekistan", "Consult", "040", "1.0", "Y", "Y",
     "Russian Federation"),
]
ICEWS_FILE = "events.fixture.tab"
ICEWS_COVERED = (datetime(2019, 3, 1), datetime(2019, 3, 3))


def write_fixture_files(directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    gdelt = directory / GDELT_FILE
    gdelt.write_text("\n".join(GDELT_ROWS) + "\n", encoding="utf-8")
    icews = directory / ICEWS_FILE
    lines = ["\t".join(ICEWS_HEADER)]
    for row in ICEWS_ROWS:
        full = list(row) + ["9", "1", "Fixture Wire", "", "", "", "Uzbekistan", "41.3", "69.2"]
        lines.append("\t".join(full))
    icews.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return gdelt, icews


def build_fixture_lake(directory: Path, lake: Path) -> None:
    gdelt, icews = write_fixture_files(directory)
    con = duckdb.connect()
    convert_file(con, gdelt, GDELT, lake)
    convert_file(con, icews, ICEWS, lake, covered=ICEWS_COVERED)
    con.close()
