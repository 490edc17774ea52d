"""Small hand-made raw files for the tests (synthetic: written for the tests, not real data).

Every expected number in the tests is worked out by hand from these rows; comments say how.
States: USA 2, Russia 365, Uzbekistan 704, Kazakhstan 705, Germany 255 / GFR 260,
Czechoslovakia 315 / Czech Republic 316.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from pathlib import Path

from pipelines.sources import ADAPTERS

SPEC_BY_TABLE = {spec.table: spec for adapter in ADAPTERS.values() for spec in adapter.FILES}

STATE_SPELLS = [
    # stateabb, ccode, statenme, styear, stmonth, stday, endyear, endmonth, endday, version
    ("USA", 2, "United States of America", 1816, 1, 1, 2016, 12, 31, 2016),
    ("GMY", 255, "Germany", 1816, 1, 1, 1945, 5, 8, 2016),
    ("GMY", 255, "Germany", 1990, 10, 3, 2016, 12, 31, 2016),
    ("GFR", 260, "German Federal Republic", 1955, 5, 5, 1990, 10, 2, 2016),
    ("CZE", 315, "Czechoslovakia", 1945, 5, 10, 1992, 12, 31, 2016),
    ("CZR", 316, "Czech Republic", 1993, 1, 1, 2016, 12, 31, 2016),
    ("RUS", 365, "Russia", 1816, 1, 1, 2016, 12, 31, 2016),
    ("UZB", 704, "Uzbekistan", 1991, 12, 26, 2016, 12, 31, 2016),
    ("KZK", 705, "Kazakhstan", 1991, 12, 26, 2016, 12, 31, 2016),
]

CROSSWALK = [
    (2, "USA", "USA", "United States of America", "troopdata"),
    (255, "DEU", "GMY", "Germany", "troopdata"),
    (260, "", "GFR", "German Federal Republic", ""),
    (315, "", "CZE", "Czechoslovakia", ""),
    (316, "CZE", "CZR", "Czech Republic", "troopdata"),
    (365, "RUS", "RUS", "Russia", "troopdata"),
    (704, "UZB", "UZB", "Uzbekistan", "troopdata"),
    (705, "KAZ", "KZK", "Kazakhstan", "troopdata"),
]


def _symmetric(rows):
    out = []
    for ccode1, ccode2, year, *flags in rows:
        out.append((ccode1, ccode2, year, *flags))
        out.append((ccode2, ccode1, year, *flags))
    return out


ATOP = _symmetric(
    [
        # Uzbekistan 2000: defence with Russia and Kazakhstan, non-aggression + consultation
        # with Russia and the USA -> defence 2, non-aggression 2, consultation 2, total 3.
        (704, 365, 2000, 1, 0, 0, 1, 1),
        (704, 705, 2000, 1, 0, 0, 0, 0),
        (704, 2, 2000, 0, 0, 0, 1, 1),
        # Uzbekistan is not a COW member in 1990: both directions are quarantined.
        (704, 365, 1990, 1, 0, 0, 0, 0),
    ]
) + [
    (704, "abc", 2000, 1, 0, 0, 0, 0),  # not_integer
    (365, 704, 2000, 1, 0, 0, 1, 1),  # duplicate_key of the first row's mirror
]

IGO_MEMBERSHIPS = [
    # ccode, year, ioname, status
    (704, 2000, "aaa", 1),
    (705, 2000, "aaa", 1),
    (365, 2000, "aaa", 1),
    (704, 2000, "bbb", 1),
    (705, 2000, "bbb", 1),
    (365, 2000, "bbb", 2),
    (704, 2000, "sco", 1),
    (365, 2000, "sco", 1),
    (705, 2000, "sco", -9),
    (704, 2000, "ccc", 3),
    (704, 2000, "ddd", 0),  # unknown_status: 0 rows are not in the long file
    (704, 2015, "aaa", 1),  # outside_coverage (fixture IGO coverage ends 2014)
]

IGO_LIST = [
    ("AAA", "Org A", "Organisation A", 1, 1950, "", 0, 0, 0, "", 1950, 2014, 1, 0, 0, "aaa"),
    ("BBB", "Org B", "Organisation B", 2, 1950, "", 0, 0, 0, "", 1950, 2014, 0, 0, 1, "bbb"),
    ("CCC", "Org C", "Organisation C", 3, 1950, "", 0, 0, 0, "", 1950, 2014, 0, 1, 0, "ccc"),
    ("SCO", "SCO", "Shanghai Cooperation Org", 4, 1996, "", 0, 0, 0, "", 1996, 2014, 1, 0, 0,
     "sco"),
]

# mme_row -> (MMEID, start year, participants as (name, ccode or '', match))
EXERCISES = {
    1: ("mme1", 2000, [("Uzbekistan", 704, "cow_statenme_exact"),
                       ("United States", 2, "manual")]),
    2: ("mme2", 2000, [("Uzbekistan", 704, "cow_statenme_exact"),
                       ("Kazakhstan", 705, "cow_statenme_exact"),
                       ("Russia", 365, "cow_statenme_exact")]),
    3: ("mme2", 2000, [("Uzbekistan", 704, "cow_statenme_exact"),
                       ("NATO", "", "non_state_participant"),
                       ("-9", "", "missing_participant")]),
    4: ("mme4", 2005, [("Uzbekistan", 704, "cow_statenme_exact"),
                       ("Kazakhstan", 705, "cow_statenme_exact"),
                       ("Kazakhstan", 705, "cow_statenme_exact")]),
}

IPI = [
    # date, contributor, iso3, ccode (as in the file), troops, police, experts
    ("1990-09-30", "Germany", "DEU", 255, 3, "", ""),  # before unification -> 260
    ("1990-11-30", "Germany", "DEU", 255, 5, "", ""),  # after -> 255
    ("1992-01-31", "Czech Republic", "CZE", 316, 10, "", ""),  # before 1993 -> 315
    ("1993-01-31", "Czech Republic", "CZE", 316, "", 5, ""),
    # Kazakhstan 2000: 6, 6, 12 personnel in Jan-Mar -> mean 24 / 12 = 2.0, peak 12, 3 months
    ("2000-01-31", "Kazakhstan", "KAZ", 705, 4, "", 2),
    ("2000-02-29", "Kazakhstan", "KAZ", 705, 6, "", ""),
    ("2000-03-31", "Kazakhstan", "KAZ", 705, "", "", 12),
    ("2000-04-30", "Kazakhstan", "KAZ", 705, -3, "", ""),  # negative_count
    ("2000-05-31", "Atlantis", "XXX", "", 1, "", ""),  # unresolved_iso3
] + [
    # The USA sends 1 police officer every month of 2000, so the source reports 12 months.
    (f"2000-{month:02d}-{day}", "United States", "USA", 2, "", 1, "")
    for month, day in zip(range(1, 13), (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31),
                          strict=True)
]

COVERAGE = {"cow_states": (1816, 2016), "atop": (1990, 2018), "cow_igo": (1990, 2014),
            "mme": (1990, 2010), "ipi": (1990, 2014)}


def exercise_rows() -> list[dict]:
    columns = SPEC_BY_TABLE["raw_mme__exercises"].columns
    rows = []
    for mme_row, (mmeid, year, participants) in EXERCISES.items():
        row = dict.fromkeys(columns, "")
        row.update({"MMEID": mmeid, "Ex_Name": f"Exercise {mme_row}", "s.year": year,
                    "s.month": 6, "e.year": year, "e.month": 6})
        slots = [c for c in columns if c.startswith("State")]
        for slot, (name, _ccode, _match) in zip(slots, participants, strict=False):
            row[slot] = name
        rows.append(row)
    return rows


def participant_rows() -> list[tuple]:
    rows = []
    for mme_row, (mmeid, year, participants) in EXERCISES.items():
        seen = set()
        for position, (name, ccode, match) in enumerate(participants, start=1):
            duplicate = ccode != "" and ccode in seen
            seen.add(ccode)
            rows.append((mme_row, mmeid, position, name, year, year, ccode, match,
                         "True" if duplicate else "False"))
    return rows


def csv_text(columns, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns] if isinstance(row, dict) else row)
    return buffer.getvalue()


# manifest file name -> (source id, relative path, table)
FILES = {
    "state_spells": ("cow_states", "cow_states/states.csv", "raw_cow_states__state_spells"),
    "ccode_iso3_crosswalk": ("cow_states", "cow_states/crosswalk.csv",
                             "raw_cow_states__ccode_iso3"),
    "directed_dyad_year": ("atop", "atop/atop.csv.gz", "raw_atop__directed_dyad_year"),
    "state_year_igo": ("cow_igo", "cow_igo/igo_long.csv.gz", "raw_cow_igo__state_year_igo"),
    "igo_list": ("cow_igo", "cow_igo/igo_list.csv", "raw_cow_igo__igo_list"),
    "exercises": ("mme", "mme/exercises.csv", "raw_mme__exercises"),
    "participants": ("mme", "mme/participants.csv", "raw_mme__participants"),
    "contributor_month": ("ipi", "ipi/contributor_month.csv", "raw_ipi__contributor_month"),
}

ROWS = {
    "state_spells": STATE_SPELLS,
    "ccode_iso3_crosswalk": CROSSWALK,
    "directed_dyad_year": ATOP,
    "state_year_igo": IGO_MEMBERSHIPS,
    "igo_list": IGO_LIST,
    "exercises": None,  # built by exercise_rows()
    "participants": None,  # built by participant_rows()
    "contributor_month": IPI,
}


def write_file(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)


def default_text(name: str) -> str:
    """The fixture CSV text of one manifest file name."""
    _source_id, _relative, table = FILES[name]
    rows = {"exercises": exercise_rows, "participants": participant_rows}.get(name)
    return csv_text(SPEC_BY_TABLE[table].columns, rows() if rows else ROWS[name])


def write_raw(raw_dir: Path, overrides: dict[str, str | bytes] | None = None) -> None:
    """Write every fixture file and a matching raw/sources.toml into raw_dir.

    `overrides` replaces a file's content (by manifest file name) before checksums are taken.
    """
    overrides = overrides or {}
    manifest = []
    by_source: dict[str, list[str]] = {}
    for name, (source_id, relative, _table) in FILES.items():
        content = overrides[name] if name in overrides else default_text(name)
        path = raw_dir / relative
        write_file(path, content)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        by_source.setdefault(source_id, []).append(
            f'[[sources.{source_id}.files]]\nname = "{name}"\npath = "{relative}"\n'
            f'sha256 = "{digest}"\n'
        )
    for source_id, (first, last) in COVERAGE.items():
        manifest.append(
            f'[sources.{source_id}]\ndataset = "fixture {source_id} (synthetic test data)"\n'
            f'version = "test"\ncitation = "synthetic rows written for the tests"\n'
            f'origin = "tests/fixture_data.py"\nlicence = "test data"\n'
            f'code_system = "COW ccode"\nfirst_year = {first}\nlast_year = {last}\n'
            f'role = "{source_id}"\n\n' + "\n".join(by_source[source_id])
        )
    (raw_dir / "sources.toml").write_text("\n".join(manifest), encoding="utf-8")
