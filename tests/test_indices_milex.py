"""Operational effort relative to military expenditure, the year-level indicator-set rule and
the published index inputs: every formula on a hand-worked fixture (methodology v2, 3.3a)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from pipelines.indices.composite import cooperation_index, per_milex, prepare
from pipelines.indices.config import IndexDefinitionError, parse_definition
from pipelines.indices.uncertainty import monte_carlo

NAN = np.nan

BASE = {
    "composite": {"normalisation": "minmax", "weights": "equal", "aggregation": "arithmetic",
                  "first_year": 2000, "current_min_coverage": 0.5},
    "pillars": {
        "institutional": {"weights": "equal", "min_share_observed": 0.5},
        "operational": {"weights": "equal", "min_share_observed": 0.5},
    },
    "indicators": [
        {"name": "treaty", "pillar": "institutional"},
        {"name": "pko", "pillar": "operational", "per_milex": True},
        {"name": "drills", "pillar": "operational"},
    ],
    "uncertainty": {"seed": 7, "draws": 40, "oat_weight_draws": 5},
}

# One year, three full-year members. milex in US$ m (constant): state 2's figure is a SIPRI
# estimate (blue), state 3 has no figure.
#   ccode treaty pko drills milex  estimate uncertain
PANEL = pd.DataFrame([
    (1, 2000, 0.0, 10.0, 0.0, 2000.0, False, False),
    (2, 2000, 4.0, 5.0, 2.0, 500.0, True, False),
    (3, 2000, 8.0, 10.0, 4.0, NAN, None, None),
], columns=["ccode", "year", "treaty", "pko", "drills", "milex_constant_usd_m",
            "milex_usd_is_estimate", "milex_usd_is_uncertain"])


def definition(effort="absolute", **changes):
    raw = copy.deepcopy(BASE)
    raw["composite"]["effort"] = effort
    for key, value in changes.items():
        raw[key] = value
    return parse_definition(raw)


def by_key(frame):
    return frame.set_index(["ccode", "year"]).sort_index()


def test_per_milex_factor_and_estimate_flags_by_hand():
    panel = pd.DataFrame({
        "milex_constant_usd_m": [2000.0, 500.0, NAN, 0.0, 250.0],
        "milex_usd_is_estimate": pd.array([False, True, None, False, False], dtype="boolean"),
        "milex_usd_is_uncertain": pd.array([False, False, None, False, True],
                                           dtype="boolean"),
    })
    factor, estimated = per_milex(panel)
    # 1000 / milex: a count per US$ 1 bn. No figure, or no spending: not measured (NaN).
    assert factor[:2].tolist() == [0.5, 2.0]
    assert np.isnan(factor[2]) and np.isnan(factor[3])
    assert factor[4] == pytest.approx(4.0)
    # Blue (estimate) or red (highly uncertain) -> estimated; never on an unmeasured ratio.
    assert estimated.tolist() == [False, True, False, False, True]


def test_absolute_effort_by_hand():
    out = by_key(cooperation_index(PANEL, definition()))
    # minmax: treaty 0..8 -> 0, 50, 100; pko 5..10 -> 100, 0, 100; drills 0..4 -> 0, 50, 100.
    assert out.loc[(1, 2000), "composite"] == pytest.approx((0 + (100 + 0) / 2) / 2)    # 25
    assert out.loc[(2, 2000), "composite"] == pytest.approx((50 + (0 + 50) / 2) / 2)    # 37.5
    assert out.loc[(3, 2000), "composite"] == pytest.approx(100.0)
    assert out["effort"].unique().tolist() == ["absolute"]
    assert out["estimated_indicators"].isna().all()


def test_relative_effort_by_hand_with_estimates_flagged():
    out = by_key(cooperation_index(PANEL, definition("relative_to_milex")))
    # pko per US$ 1 bn: 10 / 2 = 5, 5 / 0.5 = 10, state 3 not measured -> 0, 100, NaN.
    # State 1: inst 0, oper (0 + 0) / 2 = 0 -> 0.
    assert out.loc[(1, 2000), "composite"] == pytest.approx(0.0)
    # State 2: inst 50, oper (100 + 50) / 2 = 75 -> 62.5.
    assert out.loc[(2, 2000), "composite"] == pytest.approx(62.5)
    # State 3: pko not measured; drills alone meets min_share 0.5 -> oper 100 -> 100.
    assert out.loc[(3, 2000), "operational"] == pytest.approx(100.0)
    assert out.loc[(3, 2000), "operational_indicators_observed"] == 1
    # Ranks change with the effort: state 2 overtakes state 1.
    assert out.loc[(2, 2000), "rank"] == 2 and out.loc[(1, 2000), "rank"] == 3
    # State 2's pko rests on a SIPRI-estimated expenditure: flagged per value.
    assert out.loc[(2, 2000), "estimated_indicators"] == "pko"
    assert pd.isna(out.loc[(1, 2000), "estimated_indicators"])
    assert pd.isna(out.loc[(3, 2000), "estimated_indicators"])
    # drills is not per_milex: its values are the counts in both efforts.
    inputs = out.attrs["inputs"].set_index(["ccode", "indicator"])
    assert inputs.loc[(2, "drills"), "value"] == 2.0
    assert inputs.loc[(1, "pko"), "value"] == pytest.approx(5.0)
    assert inputs.loc[(2, "pko"), "value"] == pytest.approx(10.0)
    assert np.isnan(inputs.loc[(3, "pko"), "value"])          # NULL, never 0
    assert inputs.loc[(2, "pko"), "milex_estimated"]
    assert not inputs.loc[(2, "drills"), "milex_estimated"]


def test_index_inputs_hold_the_used_values_imputed_flags_and_sets():
    panel = pd.concat([PANEL, PANEL.assign(year=2001, treaty=NAN, drills=NAN)],
                      ignore_index=True)
    raw = copy.deepcopy(BASE)
    raw["indicators"][0]["carry_forward"] = 1
    raw["indicators"][0]["core"] = True
    inputs = cooperation_index(panel, parse_definition(raw)).attrs["inputs"]
    inputs = inputs.set_index(["ccode", "year", "indicator"])
    # 2001: treaty carried forward from 2000 (imputed); drills not observed -> not in the set.
    assert inputs.loc[(2, 2001, "treaty"), "value"] == 4.0
    assert inputs.loc[(2, 2001, "treaty"), "imputed"]
    assert not inputs.loc[(2, 2000, "treaty"), "imputed"]
    assert not inputs.loc[(2, 2001, "drills"), "in_current_set"]
    assert inputs.loc[(2, 2000, "drills"), "in_current_set"]
    assert inputs.loc[(2, 2001, "treaty"), "in_core_set"]
    assert not inputs.loc[(2, 2001, "pko"), "in_core_set"]
    assert len(inputs) == 2 * 3 * 3   # scored state-years x indicators used


def test_a_year_whose_set_misses_a_pillars_minimum_has_no_current_composite():
    panel = pd.concat([PANEL, PANEL.assign(year=2001, drills=NAN)], ignore_index=True)
    raw = copy.deepcopy(BASE)
    raw["pillars"]["operational"]["min_share_observed"] = 0.75
    out = by_key(cooperation_index(panel, parse_definition(raw)))
    # 2001: drills not observed -> the operational set holds 1 of 2 indicators (< 0.75): the
    # year gets no current composite rather than an operational pillar of pko alone.
    assert out.xs(2001, level="year")["composite"].isna().all()
    assert out.xs(2001, level="year")["indicator_set"].isna().all()
    # 2000 keeps its set (2 of 2).
    assert out.xs(2000, level="year")["composite"].notna().all()


def test_the_effort_is_a_choice_of_the_sensitivity_analysis():
    panel = PANEL.assign(treaty=[4.0, 0.0, 8.0])
    raw = copy.deepcopy(BASE)
    raw["uncertainty"]["efforts"] = ["absolute", "relative_to_milex"]
    raw["uncertainty"]["draw_effort"] = True
    defn = parse_definition(raw)
    ranks, summary = monte_carlo(panel, defn, prepared=prepare(panel, defn))
    ranks = ranks.set_index("ccode")
    # By hand. treaty 4, 0, 8 -> 50, 0, 100. Absolute: pko 100, 0, 100; drills 0, 50, 100:
    # composites 50, 12.5, 100 -> ranks 2, 3, 1. Relative: pko per US$ bn 0, 100, NaN:
    # composites (50 + 0) / 2 = 25, (0 + 75) / 2 = 37.5, 100 -> ranks 3, 2, 1.
    assert ranks["nominal_rank"].tolist() == [2, 3, 1]
    assert ranks["shift_effort"].tolist() == [1.0, 1.0, 0.0]
    assert summary["mean_abs_rank_shift"]["effort"] == pytest.approx(2 / 3, abs=1e-4)
    # The draws choose the effort: it explains part of state 1's rank variance.
    assert 0 < ranks.loc[1, "first_order_effort"] <= 1
    assert ranks.loc[1, "most_influential_choice"] == "effort"   # its largest one-at-a-time shift
    # Not drawn (the shipped setting): the shift is still reported, the draws keep the
    # nominal effort, so the effort explains none of the rank variance.
    raw["uncertainty"]["draw_effort"] = False
    defn = parse_definition(raw)
    kept, _ = monte_carlo(panel, defn, prepared=prepare(panel, defn))
    kept = kept.set_index("ccode")
    assert kept["shift_effort"].tolist() == [1.0, 1.0, 0.0]
    assert not (kept["first_order_effort"].fillna(0) > 0).any()
    # ... and, like the window, it is never named the most influential "choice".
    assert "effort" not in set(kept["most_influential_choice"].dropna())
    # A single effort: no one-at-a-time alternative, so no shift is reported.
    raw["uncertainty"]["efforts"] = ["absolute"]
    defn = parse_definition(raw)
    ranks, _ = monte_carlo(panel, defn, prepared=prepare(panel, defn))
    assert ranks["shift_effort"].isna().all()


def test_effort_configuration_errors_name_the_key():
    with pytest.raises(IndexDefinitionError, match="composite.effort"):
        definition("per_capita")
    raw = copy.deepcopy(BASE)
    raw["indicators"][1]["per_milex"] = False
    raw["composite"]["effort"] = "relative_to_milex"
    with pytest.raises(IndexDefinitionError, match="per_milex = true"):
        parse_definition(raw)
    raw = copy.deepcopy(BASE)
    raw["indicators"][2]["goalposts_per_milex"] = [0, 10]
    with pytest.raises(IndexDefinitionError, match="only allowed with per_milex"):
        parse_definition(raw)
    raw = copy.deepcopy(BASE)
    raw["composite"]["normalisation"] = "goalposts"
    raw["uncertainty"]["efforts"] = ["absolute", "relative_to_milex"]
    for ind in raw["indicators"]:
        ind["goalposts"] = [0, 10]
    with pytest.raises(IndexDefinitionError, match="goalposts_per_milex"):
        parse_definition(raw)
    raw["indicators"][1]["goalposts_per_milex"] = [0, 20]
    parse_definition(raw)
    with pytest.raises(IndexDefinitionError, match="efforts"):
        definition(uncertainty={"seed": 1, "efforts": ["relative"]})
    with pytest.raises(IndexDefinitionError, match="draw_effort"):
        definition(uncertainty={"seed": 1, "draw_effort": "yes"})


def test_relative_effort_without_expenditure_column_is_a_clear_error():
    with pytest.raises(IndexDefinitionError, match="milex_constant_usd_m"):
        cooperation_index(PANEL.drop(columns=["milex_constant_usd_m"]),
                          definition("relative_to_milex"))
