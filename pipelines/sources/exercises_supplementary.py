"""Joint military exercises involving Russia, 2009-2018 (a third-party compilation, pinned).

This file does not feed any panel column. Its 99 exercises enter the analysts' register as a
batch, raw/register/russia_exercises_2009_2018.csv, one fact per (exercise, partner) with the
row's source page as citation and confidence `low` (`coop register import-exercises` writes
it; docs/register.md). The pinned original is loaded so that the batch can be recounted
against it and its partner names resolved like every other source's (pipelines/names.py).
Russia is implicit (never listed); 893 of the 992 lines are blank.
"""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "exercises_supplementary"

PARTNER_COLUMNS = tuple(f"part{i}" for i in range(1, 29))

FILES = (
    CsvSpec(
        file_name="jme_involving_russia",
        table="raw_exercises_supplementary__exercises",
        columns=("id", "name", "yr", *PARTNER_COLUMNS, "comments", "source", "source2"),
    ),
)

NAME_COLUMNS = {"raw_exercises_supplementary__exercises": PARTNER_COLUMNS}

LABEL = "exercises involving Russia 2009-2018 (register facts, low confidence, not a panel)"


def accepted_suite(kit):
    """GX suite over the pinned file's populated exercises: ids, years, a partner each."""
    e = kit.expectations
    first, last = kit.coverage(SOURCE_ID)
    exercises = (
        "(select cast(id as integer) as id, cast(yr as integer) as year, name, source, part1 "
        "from raw_exercises_supplementary__exercises where nullif(trim(id), '') is not null)"
    )
    return kit.suite(
        "source_exercises_supplementary",
        exercises,
        [
            *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("id", "year", "source", "part1")),
            e.ExpectColumnValuesToBeUnique(column="id"),
            e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
        ],
        None,
    )
