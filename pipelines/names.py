"""Country names -> COW state codes, time-aware, as a table that the SQL models join.

Sources that name countries in words (SIPRI, Geo-PKO) share one resolution, built in the load
stage from the distinct names each source uses:

1. `seeds/country_name_overrides.csv` (reviewed by hand) wins: spellings the library misses,
   historical states resolved by year (Soviet Union, GDR, Czechoslovakia, Yugoslavia, the two
   Yemens, South Vietnam), organisations (NATO, UN, African Union), territories that are not
   COW states (Palestine, Western Sahara) and placeholders ("unknown supplier(s)"). An override
   row may be limited to one source and to a span of years.
2. SIPRI's own markers: a name ending in `**` is an organisation, one ending in `*` an armed
   non-state group (`Houthi rebels (Yemen)*`).
3. The library, country_converter (coco), matches the remaining spellings to ISO3 with its
   regular expressions ("Turkiye", "Cote d'Ivoire", "Korea, South", "Viet Nam"...). The ISO3
   code becomes a COW code year by year in SQL (`int_country_names_resolved`), through
   seeds/iso3_ccode_periods.csv and the COW crosswalk, on the 31 December rule used elsewhere.
4. Anything else is `unresolved`, with the reason; consumers quarantine its rows. Nothing is
   dropped silently.

The result lands in `raw_names__resolution`, one row per (source, name, override span).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb

from pipelines.errors import InputFileError

TABLE = "raw_names__resolution"
OVERRIDES_SEED = "country_name_overrides.csv"

# What a resolved name denotes.  Only `state` rows carry a COW code; the other kinds are kept
# apart (like MME's non-state participants) so that state counts never include them.
ACTOR_KINDS = ("state", "organisation", "armed_group", "territory", "unknown_party", "unresolved")
OVERRIDE_COLUMNS = ("source_id", "name", "first_year", "last_year", "actor_kind", "ccode", "note")
RESOLUTION_COLUMNS = (
    "source_id",
    "raw_name",
    "first_year",
    "last_year",
    "actor_kind",
    "ccode",
    "iso3",
    "method",
    "reason",
)


@dataclass(frozen=True)
class Override:
    source_id: str  # "" applies to every source
    name: str
    first_year: int | None
    last_year: int | None
    actor_kind: str
    ccode: int | None
    note: str


@dataclass(frozen=True)
class Resolution:
    source_id: str
    raw_name: str
    first_year: int | None
    last_year: int | None
    actor_kind: str
    ccode: int | None
    iso3: str | None
    method: str  # override | marker | library | none
    reason: str

    def as_row(self) -> tuple:
        return tuple(getattr(self, column) for column in RESOLUTION_COLUMNS)


def _optional_int(value: str, path: Path, line: int, column: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise InputFileError(
            f"{path}, line {line}: {column} '{value}' is not a whole number. Fix the seed row."
        ) from exc


def read_overrides(path: Path) -> list[Override]:
    """The reviewed overrides; a malformed row stops the load with its line number."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != OVERRIDE_COLUMNS:
            raise InputFileError(
                f"{path}: header must be {','.join(OVERRIDE_COLUMNS)}; "
                f"found {','.join(reader.fieldnames or [])}."
            )
        overrides = []
        for line, row in enumerate(reader, start=2):
            kind = row["actor_kind"].strip()
            if kind not in ACTOR_KINDS or kind == "unresolved":
                raise InputFileError(
                    f"{path}, line {line}: actor_kind '{kind}' must be one of "
                    f"{', '.join(k for k in ACTOR_KINDS if k != 'unresolved')}."
                )
            ccode = _optional_int(row["ccode"], path, line, "ccode")
            if (kind == "state") != (ccode is not None):
                raise InputFileError(
                    f"{path}, line {line}: a 'state' row needs a ccode and only a state row "
                    f"may have one (name '{row['name']}')."
                )
            overrides.append(
                Override(
                    source_id=row["source_id"].strip(),
                    name=row["name"].strip(),
                    first_year=_optional_int(row["first_year"], path, line, "first_year"),
                    last_year=_optional_int(row["last_year"], path, line, "last_year"),
                    actor_kind=kind,
                    ccode=ccode,
                    note=row["note"].strip(),
                )
            )
    return overrides


_NOT_FOUND = "\x00not found"


@lru_cache(maxsize=1)
def _converter():
    """coco's CountryConverter, built from its own table read as plain text.

    country_converter 1.3.2 reads its table with `converters=str`, which under pandas 3 turns
    an empty ISO2 cell (Channel Islands) into NaN and breaks its own regex compile; reading the
    shipped table ourselves with empty strings kept avoids that without changing any entry.
    """
    import country_converter as coco
    import pandas as pd
    from country_converter.country_converter import COUNTRY_DATA_FILE

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    table = pd.read_csv(COUNTRY_DATA_FILE, sep="\t", dtype=str, keep_default_na=False)
    table = table.replace({"": None})
    table["ISO2"] = table["ISO2"].fillna("")
    return coco.CountryConverter(country_data=table, include_obsolete=True)


@lru_cache(maxsize=4096)
def library_iso3(name: str) -> tuple[str | None, str]:
    """(ISO3, '') when coco finds exactly one country for the name, else (None, reason).

    Cached: the sources share most names (690 lookups, 202 distinct names on the shipped
    data), and coco's answer for a name does not change within a process."""
    result = _converter().convert(name, src="regex", to="ISO3", not_found=_NOT_FOUND)
    if result == _NOT_FOUND:
        return None, "no match in country_converter"
    if isinstance(result, list):
        return None, f"ambiguous in country_converter ({', '.join(map(str, result))})"
    return str(result), ""


def _marker_kind(name: str) -> str | None:
    if name.endswith("**"):
        return "organisation"
    if name.endswith("*"):
        return "armed_group"
    return None


def resolve_name(source_id: str, name: str, overrides: Iterable[Override]) -> list[Resolution]:
    """Every resolution row for one source's name (several when an override is dated)."""
    matching = [o for o in overrides if o.name == name and o.source_id in ("", source_id)]
    # A source-specific override replaces the general ones for that name.
    specific = [o for o in matching if o.source_id == source_id]
    chosen = specific or matching
    if chosen:
        return [
            Resolution(
                source_id,
                name,
                o.first_year,
                o.last_year,
                o.actor_kind,
                o.ccode,
                None,
                "override",
                o.note,
            )
            for o in chosen
        ]
    marker = _marker_kind(name)
    if marker:
        reason = (
            "SIPRI marker '**' (organisation)"
            if marker == "organisation"
            else ("SIPRI marker '*' (armed non-state group)")
        )
        return [Resolution(source_id, name, None, None, marker, None, None, "marker", reason)]
    iso3, reason = library_iso3(name)
    if iso3:
        return [Resolution(source_id, name, None, None, "state", None, iso3, "library", "")]
    return [
        Resolution(
            source_id,
            name,
            None,
            None,
            "unresolved",
            None,
            None,
            "none",
            f"{reason}; add a row to seeds/{OVERRIDES_SEED}",
        )
    ]


def resolve_names(
    names_by_source: Mapping[str, Iterable[str]], overrides: list[Override]
) -> list[Resolution]:
    rows = []
    for source_id in sorted(names_by_source):
        for name in sorted({n for n in names_by_source[source_id] if n is not None}):
            rows.extend(resolve_name(source_id, name, overrides))
    return rows


def write_resolution_table(con: duckdb.DuckDBPyConnection, rows: list[Resolution]) -> int:
    con.execute(
        f"""
        create or replace table {TABLE} (
            source_id varchar not null, raw_name varchar not null, first_year integer,
            last_year integer, actor_kind varchar not null, ccode integer, iso3 varchar,
            method varchar not null, reason varchar
        )
        """
    )
    if rows:
        con.executemany(
            f"insert into {TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [row.as_row() for row in rows],
        )
    return len(rows)


def distinct_names(con: duckdb.DuckDBPyConnection, table: str, columns: Iterable[str]) -> set[str]:
    """The distinct, trimmed, non-empty names in some text columns of a loaded raw table."""
    names: set[str] = set()
    for column in columns:
        # Identifiers come from adapters' declarations, never from data.
        query = f'select distinct trim("{column}") from {table} where trim("{column}") <> \'\''
        names.update(value for (value,) in con.execute(query).fetchall())
    return names


def build_resolution(
    con: duckdb.DuckDBPyConnection,
    names_by_source: Mapping[str, Iterable[str]],
    overrides_path: Path,
) -> int:
    """Resolve every source's names and (re)write `raw_names__resolution`; returns its rows."""
    return write_resolution_table(
        con, resolve_names(names_by_source, read_overrides(overrides_path))
    )
