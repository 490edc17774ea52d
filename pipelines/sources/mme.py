"""Multinational Military Exercises v7: exercises and their participants.

Quirks handled in staging: MMEID is not unique (the file row number is the key, and the
participants file refers to it as mme_row); -9 marks a missing name; 19 participant rows repeat
a state already in the same exercise (quarantined, not counted twice); non-state participants
(NATO, territories) go to mart_non_state_participants.
"""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "mme"
LABEL = "multinational exercises (operational pillar)"

FILES = (
    CsvSpec(
        file_name="exercises",
        table="raw_mme__exercises",
        columns=(
            "MMEID",
            "Ex_Name",
            "Series_Name",
            "Location",
            "lat",
            "lon",
            "StartDate",
            "s.year",
            "s.month",
            "s.day",
            "EndDate",
            "e.year",
            "e.month",
            "e.day",
            "CPX",
            "Air",
            "Land",
            "Sea",
            "Amphibious",
            "Cyber",
            "Warfighting",
            "Peacekeeping",
            "Humanitarian",
            "FocusDescription",
            "AdditionalParticipantInfo",
            "StateA",
            "StateB",
            "StateC",
            "StateD",
            "StateE",
            "StateF",
            "StateG",
            "StateH",
            "StateI",
            "StateJ",
            "StateK",
            "StateL",
            "StateM",
            "StateN",
            "StateO",
            "StateP",
            "StateQ",
            "StateR",
            "StateS",
            "StateT",
            "StateU",
            "StateV",
            "StateW",
            "StateX",
            "StateY",
            "StateZ",
            "StateAA",
            "StateAB",
            "StateAC",
            "StateAD",
            "StateAE",
            "StateAF",
            "StateAG",
            "StateAH",
            "StateAI",
            "StateAJ",
            "StateAK",
            "StateAL",
            "StateAM",
        ),
    ),
    CsvSpec(
        file_name="participants",
        table="raw_mme__participants",
        columns=(
            "mme_row",
            "MMEID",
            "participant_position",
            "participant_raw",
            "s_year",
            "e_year",
            "ccode",
            "ccode_match",
            "dup_ccode_in_exercise",
        ),
    ),
)


def accepted_suite(kit):
    """GX suites over the accepted exercises and their state participants."""
    e = kit.expectations
    first, last = kit.coverage(SOURCE_ID)
    return [
        kit.suite(
            "source_mme_exercises",
            kit.accepted("int_mme_exercises_checked"),
            [
                e.ExpectColumnValuesToBeUnique(column="mme_row"),
                e.ExpectColumnValuesToBeBetween(
                    column="start_year", min_value=first, max_value=last
                ),
            ],
            kit.last_rows("int_mme_exercises_checked"),
        ),
        kit.suite(
            "source_mme_participants",
            kit.member_flags(
                ["ccode"],
                "(select * from int_mme_participations_checked "
                "where reject is null and not is_non_state)",
            ),
            [
                e.ExpectColumnValuesToNotBeNull(column="mme_row"),
                e.ExpectColumnValuesToNotBeNull(column="ccode"),
                e.ExpectCompoundColumnsToBeUnique(column_list=["mme_row", "ccode"]),
                e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
                e.ExpectColumnValuesToBeInSet(column="ccode_is_member", value_set=[True]),
            ],
            None,  # the manifest counts participant rows including non-state ones
        ),
    ]
