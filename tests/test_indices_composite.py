"""The country-year composite: normalisation, weights, missing rule, aggregation, rank.

Every expected value is worked out by hand in the comments from the tiny panels below.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest

from pipelines.indices.composite import (
    aggregate,
    cooperation_index,
    pca_weights,
    rank_descending,
    trailing_mean,
)
from pipelines.indices.config import IndexDefinitionError, Indicator, parse_definition
from pipelines.indices.normalise import (
    goalposts,
    minmax,
    normalise_indicator,
    percentile_rank,
    zscore,
)

NAN = np.nan

# Two pillars of two indicators, equal weights, arithmetic, min-max, no transform.
SMALL = {
    "composite": {"normalisation": "minmax", "weights": "equal", "aggregation": "arithmetic"},
    "pillars": {
        "institutional": {"weights": "equal", "aggregation": "arithmetic",
                          "min_share_observed": 0.5},
        "operational": {"weights": "equal", "aggregation": "arithmetic",
                        "min_share_observed": 0.5},
    },
    "indicators": [
        {"name": "a", "pillar": "institutional"},
        {"name": "b", "pillar": "institutional"},
        {"name": "c", "pillar": "operational"},
        {"name": "d", "pillar": "operational"},
    ],
    "uncertainty": {"seed": 1},
}

# Panel ranges: a 0..10, b 0..10, c 0..2, d 0..4, so min-max scores are
# a * 10, b * 10, c * 50, d * 25.
PANEL = pd.DataFrame(
    [
        # ccode, year, a, b, c, d
        (1, 2000, 0, 10, 0, 4),       # inst (0 + 100)/2 = 50, oper (0 + 100)/2 = 50 -> 50
        (2, 2000, 10, 0, 2, 2),       # inst 50, oper (100 + 50)/2 = 75 -> 62.5
        (3, 2000, 5, 5, 1, 0),        # inst 50, oper (50 + 0)/2 = 25 -> 37.5
        (1, 2001, 10, 10, 2, 4),      # inst 100, oper 100 -> 100
        (2, 2001, NAN, 0, NAN, NAN),  # inst = b alone = 0 (measured); oper: no data -> NULL
        (3, 2001, 5, NAN, 2, NAN),    # inst = a alone = 50, oper = c alone = 100 -> 75
    ],
    columns=["ccode", "year", "a", "b", "c", "d"],
)


def small(**changes) -> object:
    raw = copy.deepcopy(SMALL)
    for path, value in changes.items():
        section, *rest = path.split("__")
        target = raw[section]
        for step in rest[:-1]:
            target = target[step]
        target[rest[-1]] = value
    return parse_definition(raw)


def by_key(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(["ccode", "year"]).sort_index()


def test_equal_weights_arithmetic_reproduce_the_hand_computed_composite():
    out = by_key(cooperation_index(PANEL, small()))
    assert out.loc[(1, 2000), ["institutional", "operational", "composite"]].tolist() == [
        50.0, 50.0, 50.0]
    assert out.loc[(2, 2000), "composite"] == pytest.approx(62.5)
    assert out.loc[(3, 2000), "composite"] == pytest.approx(37.5)
    assert out.loc[(1, 2001), "composite"] == pytest.approx(100.0)
    assert out.loc[(3, 2001), ["institutional", "operational", "composite"]].tolist() == [
        50.0, 100.0, 75.0]
    # Pillar gap (v1's "symbolic gap"): institutional minus operational on one 0-100 scale.
    assert out.loc[(2, 2000), "pillar_gap"] == pytest.approx(-25.0)
    assert out.loc[(3, 2000), "pillar_gap"] == pytest.approx(25.0)


def test_ranks_are_per_year_highest_first_and_only_where_the_composite_exists():
    out = by_key(cooperation_index(PANEL, small()))
    assert out.loc[(2, 2000), "rank"] == 1
    assert out.loc[(1, 2000), "rank"] == 2
    assert out.loc[(3, 2000), "rank"] == 3
    assert out.loc[(1, 2001), "rank"] == 1
    assert out.loc[(3, 2001), "rank"] == 2
    assert pd.isna(out.loc[(2, 2001), "rank"])
    assert out.loc[(1, 2000), "n_ranked"] == 3
    assert out.loc[(1, 2001), "n_ranked"] == 2


def test_a_pillar_with_no_data_is_null_not_zero_and_a_measured_zero_stays_zero():
    out = by_key(cooperation_index(PANEL, small()))
    row = out.loc[(2, 2001)]
    assert pd.isna(row["operational"])
    assert pd.isna(row["composite"])
    assert row["institutional"] == 0.0  # b = 0 is a measured absence
    assert row["institutional_indicators_observed"] == 1
    assert row["operational_indicators_observed"] == 0
    # The 2001 current set: d is observed for 1 of 3 states (< current_min_coverage 0.5),
    # so the year's operational set is {c} alone.
    assert row["operational_indicators_total"] == 1
    assert out.loc[(1, 2001), "indicator_set"] == "a, b, c"
    assert out.loc[(1, 2000), "indicator_set"] == "a, b, c, d"


def test_min_share_observed_makes_a_thin_pillar_null():
    out = by_key(cooperation_index(
        PANEL, small(pillars__institutional__min_share_observed=1.0)))
    assert math.isnan(out.loc[(2, 2001), "institutional"])
    assert math.isnan(out.loc[(3, 2001), "institutional"])
    assert math.isnan(out.loc[(3, 2001), "composite"])
    assert out.loc[(1, 2001), "institutional"] == 100.0


def test_explicit_weights_and_pillar_weights():
    raw = copy.deepcopy(SMALL)
    raw["pillars"]["institutional"]["weights"] = "explicit"
    raw["indicators"][0]["weight"] = 3.0  # a
    raw["indicators"][1]["weight"] = 1.0  # b
    raw["composite"].update(weights="explicit",
                            pillar_weights={"institutional": 1.0, "operational": 3.0})
    out = by_key(cooperation_index(PANEL, parse_definition(raw)))
    # (2, 2000): inst = (3*100 + 1*0)/4 = 75; oper 75; composite = (1*75 + 3*75)/4 = 75.
    assert out.loc[(2, 2000), "institutional"] == pytest.approx(75.0)
    # (1, 2000): inst = (3*0 + 100)/4 = 25; oper 50; composite = (25 + 3*50)/4 = 43.75.
    assert out.loc[(1, 2000), "composite"] == pytest.approx(43.75)


def test_geometric_aggregation_is_the_shifted_geometric_mean():
    # sqrt((1 + 100) * (1 + 50)) - 1 = sqrt(5151) - 1
    assert aggregate(np.array([[100.0, 50.0]]), np.array([0.5, 0.5]), "geometric", 1.0)[0] == (
        pytest.approx(math.sqrt(5151) - 1))
    # A zero does not zero the score: sqrt(1 * 101) - 1.
    assert aggregate(np.array([[0.0, 100.0]]), np.ones(2), "geometric", 1.0)[0] == (
        pytest.approx(math.sqrt(101) - 1))
    out = by_key(cooperation_index(PANEL, small(composite__aggregation="geometric")))
    # (2, 2000): pillars 50 and 75 -> sqrt(51 * 76) - 1
    assert out.loc[(2, 2000), "composite"] == pytest.approx(math.sqrt(51 * 76) - 1)


def test_aggregate_reweights_over_observed_columns():
    values = np.array([[NAN, 40.0, 80.0], [NAN, NAN, 80.0], [NAN, NAN, NAN]])
    weights = np.array([2.0, 1.0, 3.0])
    # Row 1: (1*40 + 3*80) / 4 = 70 (2 of 3 observed >= 0.5); row 2: 1 of 3 < 0.5 -> NaN.
    result = aggregate(values, weights, "arithmetic", 0.5)
    assert result[0] == pytest.approx(70.0)
    assert np.isnan(result[1]) and np.isnan(result[2])
    with pytest.raises(IndexDefinitionError, match="harmonic"):
        aggregate(values, weights, "harmonic", 0.5)


def test_normalisation_methods_by_hand():
    assert minmax(np.array([0, 5, 10, NAN])).tolist()[:3] == [0.0, 50.0, 100.0]
    assert np.isnan(minmax(np.array([0, 5, 10, NAN]))[3])
    # z = -1 and +1; 100 * Phi(-1) = 15.8655, 100 * Phi(1) = 84.1345
    assert zscore(np.array([1.0, 3.0])) == pytest.approx([15.865525, 84.134475])
    # average ranks 1, 2.5, 2.5, 4 -> 100 * (r - 1) / 3
    assert percentile_rank(np.array([10.0, 20, 20, 40])) == pytest.approx([0, 50, 50, 100])
    assert goalposts(np.array([-5.0, 5, 15]), 0, 10) == pytest.approx([0, 50, 100])
    # log1p goalposts in raw units: log1p(9) / log1p(99) = ln 10 / ln 100 = 0.5
    indicator = Indicator("x", "operational", "positive", "log1p", 1.0, (0.0, 99.0), "")
    assert normalise_indicator(np.array([9.0]), indicator, "goalposts") == pytest.approx([50.0])
    negative = Indicator("x", "operational", "negative", "none", 1.0, None, "")
    assert normalise_indicator(np.array([0.0, 2, 8]), negative, "minmax") == pytest.approx(
        [100, 75, 0])


def test_pca_weights_follow_the_first_component():
    # x2 = 2 * x1 (perfectly correlated), x3 uncorrelated with both: the correlation matrix
    # [[1,1,0],[1,1,0],[0,0,1]] has leading eigenvector (1,1,0)/sqrt 2 -> weights 0.5, 0.5, 0.
    x1 = np.array([1.0, 2, 3, 4])
    matrix = np.column_stack([x1, 2 * x1, np.array([1.0, -1, -1, 1])])
    assert pca_weights(matrix) == pytest.approx([0.5, 0.5, 0.0], abs=1e-9)
    with pytest.raises(IndexDefinitionError, match="no variance"):
        pca_weights(np.column_stack([x1, np.ones(4)]))


def test_pca_weights_in_the_definition_are_used_and_sum_to_one():
    out = cooperation_index(PANEL, small(pillars__operational__weights="pca"))
    weights = out.attrs["weights"]["indicators"]["operational"]
    assert sum(weights.values()) == pytest.approx(1.0)


def test_trailing_mean_skips_missing_years_and_keeps_missing_cells_missing():
    dense = np.array([[10.0, NAN, 20.0, 30.0]])
    result = trailing_mean(dense, 3)
    # year 2: (10 + 20)/2; year 3: (20 + 30)/2 (year 1 is missing, not 0)
    assert result[0, 0] == 10.0 and np.isnan(result[0, 1])
    assert result[0, 2:] == pytest.approx([15.0, 25.0])
    assert trailing_mean(dense, 1)[0, 3] == 30.0


def test_rank_ties_share_the_best_rank():
    ranks = rank_descending(np.array([[5.0], [7.0], [5.0], [NAN]]))
    assert ranks[:3, 0].tolist() == [2.0, 1.0, 2.0] and np.isnan(ranks[3, 0])


# Invariants on a seeded random panel: 30 countries x 4 years, some cells missing.
def random_panel(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [(c, y) for c in range(1, 31) for y in range(2000, 2004)]
    frame = pd.DataFrame(rows, columns=["ccode", "year"])
    for name in "abcd":
        values = rng.integers(0, 20, len(frame)).astype(float)
        values[rng.random(len(frame)) < 0.1] = NAN
        frame[name] = values
    return frame


@pytest.mark.parametrize("normalisation", ["minmax", "zscore", "rank"])
@pytest.mark.parametrize("aggregation", ["arithmetic", "geometric"])
def test_scores_stay_in_range(normalisation, aggregation):
    out = cooperation_index(random_panel(), small(composite__normalisation=normalisation,
                                                  composite__aggregation=aggregation))
    for column in ("institutional", "operational", "composite"):
        values = out[column].dropna()
        assert len(values) > 0
        assert values.between(0, 100).all()
    ranks = out["rank"].dropna()
    assert ranks.min() == 1 and (ranks <= out["n_ranked"].dropna()).all()


@pytest.mark.parametrize("normalisation", ["minmax", "rank"])
def test_raising_a_positive_indicator_never_lowers_the_composite(normalisation):
    panel = random_panel()
    definition = small(composite__normalisation=normalisation)
    before = cooperation_index(panel, definition).set_index(["ccode", "year"])["composite"]
    for position in [0, 17, 45, 101]:
        for name in "abcd":
            if np.isnan(panel.loc[position, name]):
                continue
            raised = panel.copy()
            raised.loc[position, name] += 5
            key = tuple(panel.loc[position, ["ccode", "year"]])
            after = cooperation_index(raised, definition).set_index(["ccode", "year"])
            if not np.isnan(before[key]):
                assert after.loc[key, "composite"] >= before[key] - 1e-9


def test_reordering_countries_changes_nothing():
    panel = random_panel()
    definition = small()
    original = by_key(cooperation_index(panel, definition))
    shuffled = panel.sample(frac=1.0, random_state=3).reset_index(drop=True)
    again = by_key(cooperation_index(shuffled, definition))
    pd.testing.assert_frame_equal(original, again)


def test_rank_descending_equals_the_all_pairs_definition_with_ties_and_gaps():
    from pipelines.indices.composite import RANK_TOLERANCE, rank_descending

    generator = np.random.default_rng(3)
    dense = np.round(generator.uniform(0, 100, (60, 7)), 1)  # rounding makes ties
    dense[generator.random(dense.shape) < 0.2] = np.nan
    dense[5, 2] = dense[6, 2] + RANK_TOLERANCE / 10  # within tolerance: a tie
    values = np.where(np.isnan(dense), -np.inf, dense)
    with np.errstate(invalid="ignore"):
        expected = 1.0 + (values[None, :, :] - values[:, None, :] > RANK_TOLERANCE).sum(axis=1)
    expected[np.isnan(dense)] = np.nan
    np.testing.assert_array_equal(rank_descending(dense), expected)
