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

LABEL = "UN General Assembly ideal points and vote agreement (alignment)"


def accepted_suite(kit):
    """GX suites over the accepted ideal points and votes: keys, ranges, membership."""
    e = kit.expectations
    first, last = kit.coverage(SOURCE_ID)
    ideal_points = kit.suite(
        "source_unga_ideal_points",
        kit.member_flags(["ccode"], kit.accepted("int_unga_ideal_points_checked")),
        [
            *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("ccode", "year")),
            e.ExpectCompoundColumnsToBeUnique(column_list=["ccode", "year"]),
            e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
            # Ideal points are standardised: the shipped file spans about -3 to +4.
            e.ExpectColumnValuesToBeBetween(column="idealpointfp", min_value=-6, max_value=6),
            e.ExpectColumnValuesToBeInSet(column="ccode_is_member", value_set=[True]),
        ],
        kit.last_rows("int_unga_ideal_points_checked"),
    )
    votes = kit.suite(
        "source_unga_votes",
        kit.member_flags(["ccode"], kit.accepted("int_unga_votes_checked")),
        [
            *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("rcid", "ccode", "year")),
            e.ExpectCompoundColumnsToBeUnique(column_list=["rcid", "ccode"]),
            e.ExpectColumnValuesToBeInSet(column="vote_code", value_set=[1, 2, 3]),
            e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
            e.ExpectColumnValuesToBeInSet(column="ccode_is_member", value_set=[True]),
        ],
        kit.last_rows("int_unga_votes_checked"),
    )
    return [ideal_points, votes]
