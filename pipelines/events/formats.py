"""The two event-data file formats: GDELT 2.0 event exports and ICEWS coded-event files.

GDELT 2.0 exports (``YYYYMMDDHHMMSS.export.CSV``, usually zipped) are tab-separated with no header
and exactly 61 columns, in the order of the GDELT 2.0 Event codebook. ICEWS files (``*.tab``) are
tab-separated with a 20-column header. Neither quotes fields, so a tab or newline inside a field
cannot occur and quotes are ordinary characters. Columns are kept as text in the Parquet lake:
casting and row-level rejects belong to the staging SQL, as for every other source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_ACTOR = (
    "code", "name", "country_code", "known_group_code", "ethnic_code", "religion1_code",
    "religion2_code", "type1_code", "type2_code", "type3_code",
)
_GEO = ("type", "full_name", "country_code", "adm1_code", "adm2_code", "lat", "long",
        "feature_id")

# The 61 columns of a GDELT 2.0 event export, in file order (codebook names in snake case).
GDELT_COLUMNS: tuple[str, ...] = (
    ("global_event_id", "sql_date", "month_year", "year", "fraction_date")
    + tuple(f"actor1_{c}" for c in _ACTOR)
    + tuple(f"actor2_{c}" for c in _ACTOR)
    + ("is_root_event", "event_code", "event_base_code", "event_root_code", "quad_class",
       "goldstein_scale", "num_mentions", "num_sources", "num_articles", "avg_tone")
    + tuple(f"actor1_geo_{c}" for c in _GEO)
    + tuple(f"actor2_geo_{c}" for c in _GEO)
    + tuple(f"action_geo_{c}" for c in _GEO)
    + ("date_added", "source_url")
)
assert len(GDELT_COLUMNS) == 61

# The header of an ICEWS coded-event file, and the snake-case names the lake uses.
ICEWS_HEADER: tuple[str, ...] = (
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text",
    "CAMEO Code", "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID",
    "Sentence Number", "Publisher", "City", "District", "Province", "Country", "Latitude",
    "Longitude",
)
ICEWS_COLUMNS: tuple[str, ...] = tuple(
    re.sub(r"[^a-z0-9]+", "_", name.lower()) for name in ICEWS_HEADER
)

GDELT_EXPORT_NAME = re.compile(r"^(?P<stamp>\d{14})\.export\.CSV(?:\.zip)?$")
# A GDELT 2.0 export holds the events first seen in one 15-minute window starting at its stamp.
GDELT_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class EventFormat:
    name: str  # the manifest's `format`
    source_id: str
    columns: tuple[str, ...]  # the lake's column names, in file order
    header: tuple[str, ...] | None  # the exact header line, or None for headerless files
    lake_table: str  # the raw_ view the SQL models read


GDELT = EventFormat("gdelt2_export", "gdelt", GDELT_COLUMNS, None, "raw_gdelt__events")
ICEWS = EventFormat("icews_tab", "icews", ICEWS_COLUMNS, ICEWS_HEADER, "raw_icews__events")
FORMATS = {fmt.name: fmt for fmt in (GDELT, ICEWS)}


def gdelt_window(file_name: str) -> tuple[datetime, datetime]:
    """The 15-minute publication window a GDELT 2.0 export covers, from its file name."""
    match = GDELT_EXPORT_NAME.match(file_name)
    if not match:
        raise ValueError(
            f"{file_name}: not a GDELT 2.0 export name (expected YYYYMMDDHHMMSS.export.CSV)."
        )
    start = datetime.strptime(match["stamp"], "%Y%m%d%H%M%S")
    return start, start + GDELT_WINDOW


def split_by_year(start: datetime, end: datetime) -> list[tuple[int, datetime, datetime]]:
    """[start, end) cut at calendar-year boundaries: (year, from, to) pieces."""
    pieces = []
    while start < end:
        boundary = datetime(start.year + 1, 1, 1)
        stop = min(end, boundary)
        pieces.append((start.year, start, stop))
        start = stop
    return pieces
