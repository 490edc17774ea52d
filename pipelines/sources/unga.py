"""UN General Assembly voting: Bailey-Strezhnev-Voeten ideal points and the unvotes roll calls.

Quirks handled downstream: in 2024 only `idealpointfp` is filled (the other estimates are
empty), so the series reaching 2024 is `idealpointfp`; 17 ideal-point rows have a ccode but no
ISO3 or name. In the votes, `rcid` is written `3.0`; Namibia's ISO2 code is the text `NA` (every
column is read as text, so it is never taken for a missing value); three historical entities
have no ISO2 (Yemen Arab Republic, Zanzibar, Federal Republic of Germany) and are resolved by
name, and every code is resolved to COW by the roll call's date (seeds/iso2_ccode_periods.csv).
An absence is not a row.
"""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "unga"

FILES = (
    CsvSpec(
        file_name="unga_ideal_points",
        table="raw_unga__ideal_points",
        columns=(
            "ccode", "iso3c", "countryname", "year", "idealpointfp", "idealpointall",
            "idealpointlegacy", "nvotesfp", "qofp", "q5fp", "q10fp", "q50fp", "q90fp", "q95fp",
            "q100fp", "nvotesall", "qoall", "q5all", "q10all", "q50all", "q90all", "q95all",
            "q100all", "nvotesLegacy",
        ),
    ),
    CsvSpec(
        file_name="unga_votes",
        table="raw_unga__votes",
        columns=("rcid", "country", "country_code", "vote"),
    ),
    CsvSpec(
        file_name="unga_roll_calls",
        table="raw_unga__roll_calls",
        columns=(
            "rcid", "session", "importantvote", "date", "unres", "amend", "para", "short", "descr",
        ),
    ),
    CsvSpec(
        file_name="unga_roll_call_issues",
        table="raw_unga__roll_call_issues",
        columns=("rcid", "short_name", "issue"),
    ),
)
