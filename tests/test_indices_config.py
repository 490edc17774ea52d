"""indices.toml and seeds/blocs.csv: the shipped files load; an invalid definition is refused
with a message naming the key and the allowed values."""

from __future__ import annotations

import copy
import tomllib

import pytest

from pipelines.errors import CoopError
from pipelines.indices.config import (
    IndexDefinitionError,
    load_blocs,
    load_definition,
    parse_definition,
)
from pipelines.settings import PROJECT_ROOT

SHIPPED = tomllib.loads((PROJECT_ROOT / "indices.toml").read_text(encoding="utf-8"))


def test_shipped_definition_loads_with_both_pillars_and_their_indicators():
    definition = load_definition(PROJECT_ROOT / "indices.toml")
    operational = {i.name: i for i in definition.pillar_indicators("operational")}
    assert set(operational) == {"exercises", "exercise_partners", "pko_personnel_mean",
                                "pko_troops_estimated", "arms_imports_tiv", "arms_exports_tiv"}
    # v2: the months count (a 0/1 switch in practice) is gone; pending sources are optional.
    assert {n for n, i in operational.items() if i.optional} == {
        "pko_troops_estimated", "arms_imports_tiv", "arms_exports_tiv"}
    institutional = {i.name: i for i in definition.pillar_indicators("institutional")}
    weight = {n: i.weight for n, i in institutional.items()}
    # Defence outweighs offence/neutrality, which outweigh the merged weak pacts; military
    # organisations outweigh dialogue forums.
    assert weight["alliance_defence_given"] > weight["alliance_offence_neutrality"]
    assert weight["alliance_offence_neutrality"] > weight["alliance_weak_obligations"]
    assert weight["military_orgs"] > weight["dialogue_forums"]
    # Only slow commitments are carried forward, and every one of them is in the core set.
    assert {n for n, i in institutional.items() if i.carry_forward} == set(institutional)
    assert not any(i.carry_forward for i in operational.values())
    assert definition.uncertainty.draws >= 1
    assert definition.composite.normalisation == "minmax"


def _mutated(path: tuple, value):
    raw = copy.deepcopy(SHIPPED)
    target = raw
    for step in path[:-1]:
        target = target[step]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return raw


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("composite", "normalisation"), "softmax",
         ["composite.normalisation", "'softmax'", "minmax, zscore, rank, goalposts"]),
        (("composite", "aggregation"), "harmonic",
         ["composite.aggregation", "arithmetic, geometric"]),
        (("pillars", "operational", "weights"), "random",
         ["pillars.operational.weights", "equal, explicit, pca"]),
        (("indicators", 0, "transform"), "sqrt", ["indicators[1].transform", "none, log1p"]),
        (("indicators", 2, "direction"), "up", ["indicators[3].direction",
                                               "positive, negative"]),
        (("indicators", 0, "pillar"), "economic", ["indicators[1].pillar",
                                                  "institutional, operational"]),
        (("pillars", "institutional", "min_share_observed"), 1.5,
         ["pillars.institutional.min_share_observed", "[0.01, 1.0]"]),
        (("uncertainty", "draws"), 0, ["uncertainty.draws", "[1, 100000]"]),  # no silent default
        (("uncertainty", "normalisations"), ["minmax", "softmax"],
         ["uncertainty.normalisations", "'softmax'"]),
        (("uncertainty", "seed"), _DELETE, ["uncertainty.seed", "is required"]),
        (("composite", "colour"), "red", ["composite.colour", "unknown key", "normalisation"]),
        (("indicators", 0, "goalposts"), [5, 1], ["indicators[1].goalposts", "low < high"]),
        (("partnership", "criteria_weights"), {"longevity": 1, "loyalty": 2},
         ["partnership.criteria_weights.loyalty", "comprehensiveness"]),
    ],
)
def test_invalid_definition_names_the_key_and_the_allowed_values(path, value, expected):
    with pytest.raises(IndexDefinitionError) as caught:
        parse_definition(_mutated(path, value))
    for fragment in expected:
        assert fragment in str(caught.value)
    assert isinstance(caught.value, CoopError)


def test_goalposts_normalisation_needs_goalposts_on_every_indicator():
    raw = _mutated(("composite", "normalisation"), "goalposts")
    del raw["indicators"][4]["goalposts"]
    with pytest.raises(IndexDefinitionError, match=r"indicators\[5\]\.goalposts"):
        parse_definition(raw)


def test_a_pillar_without_indicators_is_refused():
    raw = copy.deepcopy(SHIPPED)
    raw["indicators"] = [i for i in raw["indicators"] if i["pillar"] != "operational"]
    with pytest.raises(IndexDefinitionError, match="pillars.operational: has no indicators"):
        parse_definition(raw)


def test_missing_and_malformed_files_name_the_file(tmp_path):
    with pytest.raises(IndexDefinitionError, match="missing"):
        load_definition(tmp_path / "indices.toml")
    bad = tmp_path / "indices.toml"
    bad.write_text("[composite\n")
    with pytest.raises(IndexDefinitionError, match="not valid TOML"):
        load_definition(bad)


def test_shipped_blocs_cover_the_requested_partner_groups():
    members = load_blocs(PROJECT_ROOT / "seeds" / "blocs.csv")
    blocs = {m.bloc for m in members}
    assert {"russia_csto", "china_sco", "west", "turkey", "central_asia",
            "regional_neighbours"} <= blocs
    by_bloc = {b: {m.ccode for m in members if m.bloc == b} for b in blocs}
    assert {701, 702, 703, 704, 705} == by_bloc["central_asia"]
    assert 365 in by_bloc["russia_csto"] and 710 in by_bloc["china_sco"]
    assert 2 in by_bloc["west"] and 640 in by_bloc["turkey"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("West Bloc,2,USA,,,x", "lower-case identifier"),
        ("other,2,USA,,,x", "not 'other'"),
        ("west,USA,USA,,,x", "member_ccode 'USA'"),
        ("west,2,USA,2000,1990,x", "first_year is after last_year"),
    ],
)
def test_bad_bloc_rows_are_refused_with_their_row_number(tmp_path, row, message):
    path = tmp_path / "blocs.csv"
    path.write_text("bloc,member_ccode,member_name,first_year,last_year,note\n" + row + "\n")
    with pytest.raises(IndexDefinitionError, match="row 2") as caught:
        load_blocs(path)
    assert message in str(caught.value)


def test_bloc_file_with_a_wrong_header_is_refused(tmp_path):
    path = tmp_path / "blocs.csv"
    path.write_text("bloc,ccode\nwest,2\n")
    with pytest.raises(IndexDefinitionError, match="header must be exactly"):
        load_blocs(path)
