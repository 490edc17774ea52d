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
