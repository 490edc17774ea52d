"""Geo-PKO v2.3 (dashboard TCC table): UN troop contributors per mission, location and year.

Quirks: contributors are one text cell per (mission, year, location), e.g.
`Korea (ROK) (150), Nepal (650), Jordan (size unknown)`: a name, then in parentheses the
largest troop figure coded for it there that year, or `size unknown`. Names may carry their own
parentheses (`Korea (ROK)`), so the cell is split on commas outside parentheses and the figure
is the last parenthesised group of each entry. The figures are estimates from unit symbols on UN
deployment maps (standard unit sizes 35/150/650/850...), not headcounts. Names are free text in
several spellings (`Britain`/`UK`, `Drc`, `Un`) and are resolved by pipelines/names.py.

The parsed entries land in `raw_geo_pko__contributors` (one row per entry, with the lineage of
the TCC row it came from); an entry that cannot be parsed is kept with its problem, and staging
quarantines it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from pipelines.sources.base import CsvSpec

SOURCE_ID = "geo_pko"

FILES = (
    CsvSpec(
        file_name="geo_pko_tcc_map",
        table="raw_geo_pko__tcc_map",
        columns=("mission", "year", "location", "latitude", "longitude", "No.TCC", "year.overview"),
    ),
)

CONTRIBUTORS_TABLE = "raw_geo_pko__contributors"
# pipelines/names.py resolves the distinct contributor names of this table.
NAME_COLUMNS = {CONTRIBUTORS_TABLE: ("contributor_name",)}

SIZE_UNKNOWN = "size unknown"
_ENTRY = re.compile(r"^(?P<name>.*?\S)\s*\((?P<size>[^()]*)\)$")


@dataclass(frozen=True)
class Entry:
    position: int  # 1 = first entry of the cell
    text: str  # the entry as written
    name: str | None
    troops: int | None
    size_unknown: bool
    problem: str | None  # why the entry could not be parsed (None when it could)


def split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses; empty pieces are kept (as '')."""
    pieces, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char == "," and depth == 0:
            pieces.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    pieces.append("".join(current).strip())
    return pieces


def parse_contributors(text: str | None) -> list[Entry]:
    """The entries of one `year.overview` cell, in order."""
    if text is None or not text.strip():
        return [Entry(1, text or "", None, None, False, "empty contributor list")]
    entries = []
    for position, piece in enumerate(split_top_level(text.strip()), start=1):
        match = _ENTRY.match(piece)
        if not piece:
            entries.append(Entry(position, piece, None, None, False, "empty entry between commas"))
            continue
        if piece.count("(") != piece.count(")"):
            entries.append(Entry(position, piece, None, None, False, "unbalanced parentheses"))
            continue
        if not match:
            entries.append(
                Entry(position, piece, None, None, False, "no troop figure in parentheses")
            )
            continue
        name = " ".join(match.group("name").split())
        size = " ".join(match.group("size").split()).lower()
        if size == SIZE_UNKNOWN:
            entries.append(Entry(position, piece, name, None, True, None))
        elif re.fullmatch(r"[0-9]+", size):
            entries.append(Entry(position, piece, name, int(size), False, None))
        else:
            entries.append(
                Entry(position, piece, name, None, False, f"troop figure '{size}' is not a number")
            )
    return entries


def build_contributors(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Parse every loaded TCC row into `raw_geo_pko__contributors`; returns its row count."""
    rows = con.execute(
        'select _source_id, _source_file, _file_sha256, _row_number, "year.overview" '
        "from raw_geo_pko__tcc_map order by _row_number"
    ).fetchall()
    columns = (
        "_source_id", "_source_file", "_file_sha256", "_row_number", "entry_position",
        "entry_text", "contributor_name", "troops", "size_unknown", "parse_problem",
    )
    import pandas as pd  # here, not at the top: a no-op refresh never loads pandas

    parsed = pd.DataFrame(
        [
            (source_id, source_file, sha, row_number, e.position, e.text, e.name, e.troops,
             e.size_unknown, e.problem)
            for source_id, source_file, sha, row_number, text in rows
            for e in parse_contributors(text)
        ],
        columns=columns,
    ).astype({"troops": "Int64", "entry_position": "int32", "_row_number": "int64"})
    con.register("geo_pko_parsed", parsed)
    try:
        con.execute(
            f"""
            create or replace table {CONTRIBUTORS_TABLE} as
            select
                cast(_source_id as varchar) as _source_id,
                cast(_source_file as varchar) as _source_file,
                cast(_file_sha256 as varchar) as _file_sha256,
                cast(_row_number as bigint) as _row_number,
                cast(entry_position as integer) as entry_position,
                cast(entry_text as varchar) as entry_text,
                cast(contributor_name as varchar) as contributor_name,
                cast(troops as integer) as troops,
                cast(size_unknown as boolean) as size_unknown,
                cast(parse_problem as varchar) as parse_problem
            from geo_pko_parsed
            """
        )
    finally:
        con.unregister("geo_pko_parsed")
    return {CONTRIBUTORS_TABLE: len(parsed)}


AFTER_LOAD = (build_contributors,)

LABEL = "UN peacekeeping deployments by mission (Geo-PKO map-based troop estimates)"


def accepted_suite(kit):
    """GX suite over the accepted state contributor entries: names resolved, members, years."""
    e = kit.expectations
    first, last = kit.coverage(SOURCE_ID)
    states = (
        "(select * from int_geo_pko_contributors_resolved "
        "where reject is null and actor_kind = 'state')"
    )
    return kit.suite(
        "source_geo_pko",
        kit.member_flags(["ccode"], states),
        [
            *(
                e.ExpectColumnValuesToNotBeNull(column=c)
                for c in ("ccode", "year", "mission", "contributor_name")
            ),
            e.ExpectCompoundColumnsToBeUnique(column_list=["row_number", "entry_position"]),
            # Geo-PKO's largest unit figure at one location is a few thousand troops.
            e.ExpectColumnValuesToBeBetween(column="troops", min_value=0, max_value=20_000),
            e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
            e.ExpectColumnValuesToBeInSet(column="ccode_is_member", value_set=[True]),
        ],
        # The run summary counts accepted TCC rows, this suite contributor entries: no
        # row-count comparison (the recount test checks the entries against the raw file).
        None,
    )
