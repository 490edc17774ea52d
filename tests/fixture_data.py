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


# --- UN General Assembly voting (issue 12) -------------------------------------------------
# ccode, year, idealpointfp, idealpointall
UNGA_IDEAL_POINTS = [
    (2, 2000, "1.5", "1.4"),
    (365, 2000, "-0.5", "-0.6"),
    (704, 2000, "-0.25", ""),  # idealpointall empty: the fp estimate still counts
    (705, 2000, "-0.75", "-0.7"),
    (704, 1990, "0.1", "0.1"),  # not_system_member: Uzbekistan joins in 1991
    ("abc", 2000, "0.1", "0.1"),  # not_integer
    (2, 2000, "9.9", "9.9"),  # duplicate_key (2, 2000)
]

UNGA_ROLL_CALLS = [
    # rcid, session, importantvote, date (rcid written as the votes file does not: '1')
    (1, "55.0", 0, "2000-03-01"),
    (2, "55.0", 1, "2000-06-01"),
    (3, "55.0", 0, "2000-09-01"),
    (4, "45.0", 0, "1990-05-01"),
    (5, "55.0", 0, "not a date"),  # not_a_date
]

UNGA_ISSUES = [
    (1, "di", "Arms control and disarmament"),
    (2, "nu", "Nuclear weapons"),
    (99, "di", "Arms control and disarmament"),  # unknown_roll_call
]

# rcid, country, ISO2, vote. Hand-worked agreement in 2000 (yes 1, abstain 2, no 3):
#   USA-RUS: rc1 yes/no, rc2 no/no, rc3 yes/yes -> both 3, same 2, agree_s (2 + 0) / 3;
#            di (rc1) both 1 same 0; nu (rc2) both 1 same 1.
#   USA-UZB: rc1 yes/yes, rc2 no/abstain (half), rc3 UZB absent -> both 2, same 1,
#            agree_s (1 + 0.5) / 2 = 0.75; di both 1 same 1; nu both 1 same 0.
#   RUS-UZB: rc1 no/yes, rc2 no/abstain -> both 2, same 0, agree_s 0.5 / 2 = 0.25.
# 1990 (rc4): DE is the Federal Republic (260) before 1990-10-03 and CS Czechoslovakia (315).
UNGA_VOTES = [
    ("1.0", "United States", "US", "yes"),
    ("1.0", "Russia", "RU", "no"),
    ("1.0", "Uzbekistan", "UZ", "yes"),
    ("1.0", "Kazakhstan", "KZ", "abstain"),
    ("2.0", "United States", "US", "no"),
    ("2.0", "Russia", "RU", "no"),
    ("2.0", "Uzbekistan", "UZ", "abstain"),
    ("2.0", "Kazakhstan", "KZ", "no"),
    ("3.0", "United States", "US", "yes"),
    ("3.0", "Russia", "RU", "yes"),
    ("3.0", "Kazakhstan", "KZ", "yes"),
    ("3.0", "Germany", "DE", "yes"),  # after unification: 255
    ("3.0", "Namibia", "NA", "yes"),  # ISO2 'NA' is a code (565), not a missing value
    ("4.0", "Germany", "DE", "yes"),
    ("4.0", "Czechoslovakia", "CS", "yes"),
    ("4.0", "United States", "US", "no"),
    ("1.0", "Uzbekistan", "UZ", "no"),  # duplicate_key (rcid 1, ccode 704)
    ("9.0", "Russia", "RU", "yes"),  # unknown_roll_call
    ("3.0", "Nowhere", "XX", "yes"),  # unresolved_iso2
    ("3.0", "Russia", "RU", "maybe"),  # unknown_vote
]


def unga_ideal_point_rows() -> list[dict]:
    columns = SPEC_BY_TABLE["raw_unga__ideal_points"].columns
    out = []
    for ccode, year, fp, all_ in UNGA_IDEAL_POINTS:
        row = dict.fromkeys(columns, "")
        row.update({"ccode": ccode, "year": year, "idealpointfp": fp, "idealpointall": all_})
        out.append(row)
    return out


def unga_roll_call_rows() -> list[dict]:
    columns = SPEC_BY_TABLE["raw_unga__roll_calls"].columns
    out = []
    for rcid, session, important, date in UNGA_ROLL_CALLS:
        row = dict.fromkeys(columns, "")
        row.update({"rcid": rcid, "session": session, "importantvote": important, "date": date,
                    "short": f"roll call {rcid}"})
        out.append(row)
    return out


# --- Geo-PKO v2.3 TCC table ------------------------------------------------------------------
# mission, year, location, No.TCC, year.overview. Hand-worked for 2016:
#   Kazakhstan 705: MINUSMA Gao 150 + Timbuktu 650 -> 1 mission, 2 locations, 800 troops.
#   Russia 365: MINUSMA Gao (size unknown) + UNIFIL Naqoura 850 -> 2 missions, 850 troops,
#               1 location of unknown size.  Uzbekistan 704: Timbuktu 35 + Naqoura unknown.
#   Un is an organisation: never counted. Co-deployment 2016: 365-704 2 missions (1 shared
#   location, Naqoura); 365-705 1 (Gao); 704-705 1 (Timbuktu). 2017: USA (Us) and Kazakhstan.
GEO_PKO = [
    ("MINUSMA", 2016, "Gao", 3, "Kazakhstan (150), Russia (size unknown), Un (35)"),
    ("MINUSMA", 2016, "Timbuktu", 2, "Kazakhstan (650),  Uzbekistan ( 35 )"),
    ("UNIFIL", 2016, "Naqoura", 2, "Uzbekistan (Size Unknown), Russia (850)"),
    ("UNIFIL", 2016, "Tyre", 1, "Atlantis (150)"),  # unresolved_name
    ("UNIFIL", 2016, "Sidon", 1, "Kazakhstan (many)"),  # unparseable_contributor
    ("UNIFIL", 1993, "Tyre", 1, "Kazakhstan (150)"),  # outside_coverage (1994-)
    ("UNIFIL", 2017, "Tyre", 2, "Us (35), Kazakhstan (150)"),
]

# --- US troops (troopdata) -------------------------------------------------------------------
# countryname, year, ccode, troops_ad. Germany 255 in 1980 is the GFR (260); Czechia / Czech
# Republic repeat (316, 2000): the larger troops_ad (5) stands; Guam 1008 is no COW state.
US_TROOPS = [
    ("Uzbekistan", 2000, 704, "10"),
    ("Germany", 1980, 255, "200000"),
    ("Germany", 2000, 255, "70000"),
    ("Czechia", 2000, 316, "0"),  # duplicate_key: the other spelling has 5
    ("Czech Republic", 2000, 316, "5"),
    ("Guam", 2000, 1008, "100"),  # not_a_cow_state
    ("Kazakhstan", 1985, 705, "1"),  # not_system_member
    ("Russia", 2000, 365, "abc"),  # not_integer
    ("United States", 2000, 2, "1000000"),  # home_state: troops at home are not abroad
]


def us_troops_rows() -> list[dict]:
    columns = SPEC_BY_TABLE["raw_us_troops__country_year"].columns
    out = []
    for name, year, ccode, troops in US_TROOPS:
        row = dict.fromkeys(columns, "0")
        row.update({"countryname": name, "year": year, "ccode": ccode, "iso3c": "NA",
                    "region": "x", "troops_ad": troops})
        out.append(row)
    return out


# --- Supplementary exercises involving Russia (register batch) -------------------------------
SUPPLEMENTARY_EXERCISES = [
    ("1", "Exercise-2012", "2012", ["Kazakhstan", "Uzbekistan"], "", "https://example.org/a", ""),
    ("2", "Exercise-2009", "2009", ["United States of America"], "a note", "https://example.org/b",
     "https://example.org/c"),
    ("", "", "", [], "", "", ""),  # a blank line, as most of the real file's lines are
]


def supplementary_exercise_rows() -> list[dict]:
    columns = SPEC_BY_TABLE["raw_exercises_supplementary__exercises"].columns
    out = []
    for ident, name, year, partners, comments, source, source2 in SUPPLEMENTARY_EXERCISES:
        row = dict.fromkeys(columns, "")
        row.update({"id": ident, "name": name, "yr": year, "comments": comments,
                    "source": source, "source2": source2})
        for position, partner in enumerate(partners, start=1):
            row[f"part{position}"] = partner
        out.append(row)
    return out


COVERAGE = {"cow_states": (1816, 2016), "atop": (1990, 2018), "cow_igo": (1990, 2014),
            "mme": (1990, 2010),
            # SIPRI fixtures end by 2018 so that the fixture frame keeps its years.
            "sipri_arms": (1990, 2018), "sipri_tiv": (1990, 2016), "sipri_milex": (1990, 2016),
            "unga": (1946, 2018), "geo_pko": (1994, 2018), "us_troops": (1950, 2018),
            "exercises_supplementary": (2009, 2018),
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
    "unga_ideal_points": ("unga", "unga/ideal_points.csv", "raw_unga__ideal_points"),
    "unga_votes": ("unga", "unga/votes.csv.gz", "raw_unga__votes"),
    "unga_roll_calls": ("unga", "unga/roll_calls.csv", "raw_unga__roll_calls"),
    "unga_roll_call_issues": ("unga", "unga/issues.csv", "raw_unga__roll_call_issues"),
    "geo_pko_tcc_map": ("geo_pko", "geo_pko/tcc_map.csv", "raw_geo_pko__tcc_map"),
    "us_troops_country_year": ("us_troops", "us_troops/country_year.csv",
                               "raw_us_troops__country_year"),
    "jme_involving_russia": ("exercises_supplementary", "exercises_supplementary/jme.csv",
                             "raw_exercises_supplementary__exercises"),
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
    "unga_ideal_points": None,  # built by unga_ideal_point_rows()
    "unga_votes": UNGA_VOTES,
    "unga_roll_calls": None,  # built by unga_roll_call_rows()
    "unga_roll_call_issues": UNGA_ISSUES,
    "geo_pko_tcc_map": [(m, y, loc, "0", "0", n, text) for m, y, loc, n, text in GEO_PKO],
    "us_troops_country_year": None,  # built by us_troops_rows()
    "jme_involving_russia": None,  # built by supplementary_exercise_rows()
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
    rows = {
        "exercises": exercise_rows,
        "participants": participant_rows,
        "unga_ideal_points": unga_ideal_point_rows,
        "unga_roll_calls": unga_roll_call_rows,
        "us_troops_country_year": us_troops_rows,
        "jme_involving_russia": supplementary_exercise_rows,
    }.get(name)
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
