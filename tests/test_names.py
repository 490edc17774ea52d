"""Country names -> COW codes: library matches, reviewed overrides, SIPRI markers, by year."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines import names
from pipelines.errors import InputFileError
from pipelines.loading import load_seeds
from pipelines.models import build_models, discover_models, upstream_of
from pipelines.settings import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"
CROSSWALK = PROJECT_ROOT / "raw" / "cow_states" / "ccode_iso3_crosswalk.csv"


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    load_seeds(connection, SEEDS)
    connection.execute(
        "create table raw_cow_states__ccode_iso3 as "
        "select * from read_csv($path, all_varchar = true)",
        {"path": str(CROSSWALK)},
    )
    return connection


def _resolve(con, names_by_source) -> None:
    names.build_resolution(con, names_by_source, SEEDS / names.OVERRIDES_SEED)
    models = discover_models(PROJECT_ROOT / "sql")
    build_models(con, models, only=upstream_of(models, {"int_country_names_resolved"}))


def _lookup(con, source_id: str, name: str, year: int) -> tuple | None:
    found = con.execute(
        """
        select actor_kind, ccode, method from int_country_names_resolved
        where source_id = $source and raw_name = $name and $year between first_year and last_year
        """,
        {"source": source_id, "name": name, "year": year},
    ).fetchall()
    assert len(found) <= 1, f"{name} {year} resolves twice: {found}"
    return found[0] if found else None


def test_library_spellings_resolve_to_cow_codes(con):
    _resolve(con, {"s": ["Turkiye", "Cote d'Ivoire", "Korea, South", "DR Congo", "Viet Nam"]})
    # COW codes from the COW state list: 640 Turkey, 437 Ivory Coast, 732 South Korea,
    # 490 DR Congo, 816 Vietnam.
    assert _lookup(con, "s", "Turkiye", 2020) == ("state", 640, "library")
    assert _lookup(con, "s", "Cote d'Ivoire", 2000) == ("state", 437, "library")
    assert _lookup(con, "s", "Korea, South", 1990) == ("state", 732, "library")
    assert _lookup(con, "s", "DR Congo", 2010) == ("state", 490, "library")
    assert _lookup(con, "s", "Viet Nam", 2015) == ("state", 816, "library")


def test_historical_states_resolve_by_year(con):
    _resolve(
        con,
        {
            "s": [
                "Germany",
                "Yemen",
                "Soviet Union",
                "East Germany (GDR)",
                "Czechoslovakia",
                "Czechia",
                "North Yemen",
                "Yugoslavia",
            ]
        },
    )
    # Germany is the Federal Republic (260) to 1989 and unified Germany (255) from 1990, on the
    # 31 December rule (unification 1990-10-03); Yemen is the YAR (678) before 1990.
    assert _lookup(con, "s", "Germany", 1985) == ("state", 260, "library")
    assert _lookup(con, "s", "Germany", 1990) == ("state", 255, "library")
    assert _lookup(con, "s", "Germany", 2020) == ("state", 255, "library")
    assert _lookup(con, "s", "Yemen", 1989)[1] == 678
    assert _lookup(con, "s", "Yemen", 1990)[1] == 679
    assert _lookup(con, "s", "Czechia", 1992)[1] == 315
    assert _lookup(con, "s", "Czechia", 1993)[1] == 316
    # The library would call these CZE, YEM or an obsolete code: the overrides decide.
    assert _lookup(con, "s", "Czechoslovakia", 1980) == ("state", 315, "override")
    assert _lookup(con, "s", "North Yemen", 1980) == ("state", 678, "override")
    assert _lookup(con, "s", "Soviet Union", 1980) == ("state", 365, "override")
    assert _lookup(con, "s", "East Germany (GDR)", 1980) == ("state", 265, "override")
    assert _lookup(con, "s", "Yugoslavia", 1980) == ("state", 345, "override")


def test_non_state_names_are_kept_apart_with_their_kind(con):
    _resolve(
        con,
        {
            "s": [
                "African Union**",
                "Houthi rebels (Yemen)*",
                "unknown supplier(s)",
                "Palestine",
                "Northern Cyprus",
                "Aruba",
            ]
        },
    )
    assert _lookup(con, "s", "African Union**", 2015) == ("organisation", None, "marker")
    assert _lookup(con, "s", "Houthi rebels (Yemen)*", 2015) == ("armed_group", None, "marker")
    assert _lookup(con, "s", "unknown supplier(s)", 2015) == ("unknown_party", None, "override")
    assert _lookup(con, "s", "Palestine", 2015) == ("territory", None, "override")
    # Cyprus to the library; a territory to the reviewed seed
    assert _lookup(con, "s", "Northern Cyprus", 2015) == ("territory", None, "override")


def test_unknown_name_is_unresolved_with_its_reason(con):
    _resolve(con, {"s": ["Freedonia", "France"]})
    row = con.execute(
        "select actor_kind, ccode, reason from int_country_names_resolved "
        "where raw_name = 'Freedonia'"
    ).fetchall()
    assert row == [
        (
            "unresolved",
            None,
            "no match in country_converter; add a row to seeds/country_name_overrides.csv",
        )
    ]
    assert _lookup(con, "s", "France", 2000) == ("state", 220, "library")


def test_a_source_specific_dated_override_wins(tmp_path: Path):
    seed = tmp_path / "overrides.csv"
    seed.write_text(
        "source_id,name,first_year,last_year,actor_kind,ccode,note\n"
        ",Congo,,,state,484,general\n"
        "old_source,Congo,,1970,state,490,old spelling meant Zaire\n"
        "old_source,Congo,1971,,state,484,then Brazzaville\n",
        encoding="utf-8",
    )
    overrides = names.read_overrides(seed)
    old = names.resolve_name("old_source", "Congo", overrides)
    assert [(r.first_year, r.last_year, r.ccode) for r in old] == [
        (None, 1970, 490),
        (1971, None, 484),
    ]
    assert [r.ccode for r in names.resolve_name("other", "Congo", overrides)] == [484]


def test_a_malformed_override_names_its_line(tmp_path: Path):
    seed = tmp_path / "overrides.csv"
    seed.write_text(
        "source_id,name,first_year,last_year,actor_kind,ccode,note\n,Ruritania,,,state,,no code\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError, match=r"line 2: a 'state' row needs a ccode"):
        names.read_overrides(seed)


def test_every_override_state_code_is_a_cow_state(con):
    query = "select cast(ccode as integer) from raw_cow_states__ccode_iso3"
    known = {c for (c,) in con.execute(query).fetchall()}
    for override in names.read_overrides(SEEDS / names.OVERRIDES_SEED):
        if override.ccode is not None:
            assert override.ccode in known, override
