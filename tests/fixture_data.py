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
            "mme": (1990, 2010),
            # SIPRI fixtures end by 2018 so that the fixture frame keeps its years.
            "sipri_arms": (1990, 2018), "sipri_tiv": (1990, 2016), "sipri_milex": (1990, 2016),
            # ipi stays last: tests copy its manifest entry from "[sources.ipi]" to the end.
            "ipi": (1990, 2014)}

# SIPRI trade register (SYNTHETIC deals; written latin-1 after an 11-line preamble like the real
# export). Columns: recipient, supplier, year of order, ?, number ordered, ?, designation,
# description, number delivered, ?, years of delivery, status, comments, TIV per unit,
# TIV total order, TIV delivered.
SIPRI_PREAMBLE = [
    "Transfers of major conventional arms (SYNTHETIC test export)",
    "A '?' in a column indicates uncertain data.",
    *[f"note line {n}" for n in range(3, 10)],
    "",
    "Data generated: test",
]
SIPRI_DEALS = [
    # 1: 15 TIV over 2011, 2012, 2014 -> 5 a year; the order year is uncertain
    (
        "Uzbekistan",
        "Russia",
        "2010",
        "?",
        "6",
        "?",
        "Mi-17",
        "transport helicopter",
        "6",
        "",
        "2011; 2012; 2014",
        "New",
        "W\xe4rtsil\xe4 engines",
        "2.5",
        "15",
        "15",
    ),
    # 2: 2 TIV over 2016, 2017 -> 1 a year; the number delivered is uncertain
    (
        "Kazakhstan",
        "Russia",
        "2015",
        "",
        "10",
        "",
        "BTR-80",
        "armoured personnel carrier",
        "4",
        "?",
        "2016; 2017",
        "Second hand",
        "",
        "0.5",
        "5",
        "2",
    ),
    # 3: a pending order (nothing delivered yet): counted as an order in 2017, not a delivery
    (
        "Uzbekistan",
        "United States",
        "2017",
        "",
        "2",
        "",
        "C-130",
        "transport aircraft",
        "0",
        "",
        "",
        "New",
        "",
        "10",
        "20",
        "0",
    ),
    # 4: an armed non-state recipient: kept apart, never in the state marts
    (
        "Kurdistan Regional Government (Iraq)*",
        "Germany",
        "2014",
        "",
        "30",
        "",
        "MILAN",
        "anti-tank missile",
        "30",
        "",
        "2014",
        "New",
        "",
        "0.1",
        "3",
        "3",
    ),
    # 5: historical states, by year: Czechoslovakia (315) to the Soviet Union (365) 1990-1991
    (
        "Soviet Union",
        "Czechoslovakia",
        "1989",
        "",
        "4",
        "",
        "L-39",
        "trainer aircraft",
        "4",
        "",
        "1990; 1991",
        "New",
        "",
        "1",
        "4",
        "4",
    ),
    # 6: a name nobody knows: quarantined with the reason
    (
        "Freedonia",
        "Russia",
        "2012",
        "",
        "1",
        "",
        "T-72",
        "tank",
        "1",
        "",
        "2013",
        "New",
        "",
        "1",
        "1",
        "1",
    ),
    # 7: a TIV that is not a number: quarantined
    (
        "Kazakhstan",
        "United States",
        "2012",
        "",
        "1",
        "",
        "C-130",
        "transport aircraft",
        "1",
        "",
        "2013",
        "New",
        "",
        "10",
        "10",
        "ten",
    ),
]
SIPRI_TIV = [
    # supplier, recipient, year, value, supplier_cown, recipient_cown, lon/lat x4 (SYNTHETIC):
    # SIPRI's exact yearly values for deal 1 (4 + 6 + 5 = 15) and deal 2 (1 in 2016)
    ("Russia", "Uzbekistan", "2011", "4", "365", "704", "0", "0", "0", "0"),
    ("Russia", "Uzbekistan", "2012", "6", "365", "704", "0", "0", "0", "0"),
    ("Russia", "Uzbekistan", "2014", "5", "365", "704", "0", "0", "0", "0"),
    ("Russia", "Kazakhstan", "2016", "1", "365", "705", "0", "0", "0", "0"),
]
# SIPRI milex (SYNTHETIC workbook): {sheet: [(country, notes, {year: (value, font index)})]}
# font index 12 = blue (a SIPRI estimate), 10 = red (highly uncertain), None = black.
SIPRI_MILEX = {
    "Constant (2022) US$": [
        ("USSR", "", {1990: (5000.5, None), 1991: ("xxx", 8), 1992: ("xxx", 8)}),
        ("Russia", "", {1990: ("xxx", 8), 1991: ("...", 8), 1992: (4000.0, None)}),
        ("Uzbekistan", "\u00a7", {1990: ("xxx", 8), 1991: ("...", 8), 1992: (100.5, 12)}),
        ("Kazakhstan", "", {1990: ("xxx", 8), 1991: (50.0, 10), 1992: (60.0, None)}),
    ],
    "Share of GDP": [
        ("USSR", "", {1990: (0.12, 12), 1991: ("xxx", 8), 1992: ("xxx", 8)}),
        ("Russia", "", {1990: ("xxx", 8), 1991: ("...", 8), 1992: (0.045, None)}),
        ("Uzbekistan", "", {1990: ("xxx", 8), 1991: ("...", 8), 1992: ("...", 8)}),
        ("Kazakhstan", "", {1990: ("xxx", 8), 1991: (0.01, None), 1992: (0.011, None)}),
    ],
}


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
    "trade_register": ("sipri_arms", "sipri_arms/register.csv",
                       "raw_sipri_arms__trade_register"),
    "dyad_year": ("sipri_tiv", "sipri_arms/tiv.csv", "raw_sipri_tiv__dyad_year"),
    "workbook": ("sipri_milex", "sipri_milex/milex.xlsx", "raw_sipri_milex__country_year"),
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
    "trade_register": None,  # built by sipri_register_bytes()
    "dyad_year": SIPRI_TIV,
    "workbook": None,  # built by sipri_milex_bytes()
}


def sipri_register_bytes(deals=None) -> bytes:
    """The SIPRI register fixture as the real export is: preamble, header, latin-1."""
    spec = SPEC_BY_TABLE["raw_sipri_arms__trade_register"]
    lines = "\n".join(SIPRI_PREAMBLE) + "\n"
    return (lines + csv_text(spec.columns, SIPRI_DEALS if deals is None else deals)).encode(
        "latin-1"
    )


def sipri_milex_bytes(sheets=None) -> bytes:
    """The SIPRI milex fixture workbook: 5 title lines, header on row 6, a region heading."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.styles.colors import Color

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_name, countries in (SIPRI_MILEX if sheets is None else sheets).items():
        sheet = workbook.create_sheet(sheet_name)
        years = sorted({year for _c, _n, values in countries for year in values})
        for title in (
            "SYNTHETIC milex fixture",
            "",
            "Figures in blue are SIPRI estimates.",
            "",
            "",
        ):
            sheet.append([title])
        blank = [] if sheet_name == "Share of GDP" else [""]
        sheet.append(["Country", *blank, "Notes", *years])
        sheet.append([])
        sheet.append(["Asia & Oceania"])
        for country, notes, values in countries:
            sheet.append([country, *blank, notes, *(values[year][0] for year in years)])
            row = sheet.max_row
            first = 3 + len(blank)
            for offset, year in enumerate(years):
                index = values[year][1]
                if index is not None:
                    sheet.cell(row, first + offset).font = Font(color=Color(indexed=index))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_file(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)


def default_text(name: str) -> str | bytes:
    """The fixture CSV text of one manifest file name (bytes for the SIPRI register and
    workbook, which are not UTF-8 text)."""
    if name == "trade_register":
        return sipri_register_bytes()
    if name == "workbook":
        return sipri_milex_bytes()
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
