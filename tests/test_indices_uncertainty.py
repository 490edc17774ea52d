"""Monte-Carlo rank uncertainty: reproducible, loud on bad settings, consistent with the index."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

from pipelines.indices.composite import cooperation_index, nominal_scheme, prepare
from pipelines.indices.config import parse_definition
from pipelines.indices.uncertainty import (
    UncertaintyError,
    first_order_index,
    monte_carlo,
    perturb_weights,
    ranks_of,
)
from tests.test_indices_composite import SMALL, random_panel, small


def settings_of(definition, **changes):
    return replace(definition.uncertainty, **changes)


def test_same_seed_same_result_other_seed_other_result():
    definition = small()
    panel = random_panel()
    first, _ = monte_carlo(panel, definition, settings_of(definition, draws=30, seed=5))
    again, _ = monte_carlo(panel, definition, settings_of(definition, draws=30, seed=5))
    other, _ = monte_carlo(panel, definition, settings_of(definition, draws=30, seed=6))
    assert first.equals(again)
    assert not np.allclose(first["median_rank"], other["median_rank"]) or not np.allclose(
        first["rank_p95"], other["rank_p95"])


def test_intervals_bracket_the_median_and_the_nominal_rank_is_the_published_rank():
    definition = small()
    panel = random_panel()
    out, summary = monte_carlo(panel, definition, settings_of(definition, draws=40))
    assert (out["rank_p05"] <= out["median_rank"]).all()
    assert (out["median_rank"] <= out["rank_p95"]).all()
    assert (out["n_draws"] == 40).all() and summary["draws"] == 40
    index = cooperation_index(panel, definition).dropna(subset=["composite"])
    merged = out.merge(index, on=["ccode", "year"])
    assert len(merged) == len(out) == len(index)
    assert (merged["nominal_rank"] == merged["rank"]).all()
    # The smoothing window is another estimand: reported, never the most influential choice.
    assert summary["most_influential_choice"] in {"normalisation", "weights", "aggregation",
                                                  "exclusion"}
    # The headline rank sits inside its interval or is flagged.
    outside = (out["nominal_rank"] < out["rank_p05"]) | (out["nominal_rank"] > out["rank_p95"])
    assert (out["nominal_outside_interval"] == outside).all()


def test_no_freedom_means_no_uncertainty():
    definition = small()
    fixed = settings_of(definition, draws=10, normalisations=("minmax",),
                        aggregations=("arithmetic",), windows=(1,),
                        weight_concentration=1e24, exclusion=False,
                        organisation_lists=("nominal",), corrections=(True,),
                        carry_forward=(True,))
    out, summary = monte_carlo(random_panel(), definition, fixed)
    assert np.allclose(out["median_rank"], out["nominal_rank"])
    assert np.allclose(out["rank_interval_width"], 0)
    # No alternative for these choices: their shift is unknown (NULL), not 0.
    assert out["shift_normalisation"].isna().all() and out["shift_window"].isna().all()
    assert summary["mean_abs_rank_shift"]["aggregation"] is None
    assert summary["mean_abs_rank_shift"]["exclusion"] is None
    assert not out["nominal_outside_interval"].any()


def test_excluding_an_indicator_is_a_factor_and_each_draw_matches_a_rescored_index():
    # Exclusion on, nothing else free: every draw is the nominal index with one indicator
    # (or none) left out, so its ranks must be those of the index recomputed with that
    # indicator's weight set to 0 in the definition.
    definition = small()
    panel = random_panel()
    fixed = settings_of(definition, draws=40, normalisations=("minmax",),
                        aggregations=("arithmetic",), windows=(1,), weight_concentration=1e24,
                        exclusion=True, organisation_lists=("nominal",), corrections=(True,),
                        carry_forward=(True,))
    out, summary = monte_carlo(panel, definition, fixed)
    assert summary["mean_abs_rank_shift"]["exclusion"] > 0
    # The only free factor explains all the rank variance (S = 1) wherever ranks vary.
    assert np.allclose(out["first_order_exclusion"].dropna(), 1.0)
    # A draw leaving out 'a' ranks like the index defined without 'a' at all.
    prepared = prepare(panel, definition)
    nominal = nominal_scheme(prepared)
    ranked = np.flatnonzero(cooperation_index(panel, definition)
                            .sort_values(["ccode", "year"])["composite"].notna().to_numpy())
    drawn = ranks_of(prepared, [replace(nominal, excluded="a")], ranked)[0]
    without = copy.deepcopy(SMALL)
    without["indicators"] = [i for i in without["indicators"] if i["name"] != "a"]
    expected = (cooperation_index(panel.drop(columns="a"), parse_definition(without))
                .sort_values(["ccode", "year"])["rank"].to_numpy(dtype=float, na_value=np.nan))
    assert np.array_equal(drawn, expected[ranked], equal_nan=True)

def test_window_and_normalisation_move_ranks():
    definition = small()
    out, summary = monte_carlo(random_panel(), definition, settings_of(definition, draws=20))
    assert summary["mean_abs_rank_shift"]["normalisation"] > 0
    assert summary["mean_abs_rank_shift"]["window"] > 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"draws": 0}, "draws must be >= 1"),
        ({"normalisations": ("minmax", "softmax")}, "softmax"),
        ({"aggregations": ("median",)}, "median"),
        ({"windows": (0,)}, "windows"),
        ({"normalisations": ("goalposts",)}, "goalposts"),
    ],
)
def test_bad_settings_fail_loudly(changes, message):
    definition = small()
    with pytest.raises(UncertaintyError, match=message):
        monte_carlo(random_panel(), definition, settings_of(definition, **changes))


def test_first_order_index_by_hand():
    ranks = np.array([[1.0], [1.0], [3.0], [3.0]])
    # Levels a, a, b, b explain all the variance: means 1 and 3 around 2 -> 1 / 1.
    assert first_order_index(ranks, np.array(["a", "a", "b", "b"]))[0] == pytest.approx(1.0)
    # Levels a, b, a, b explain none: both means are 2.
    assert first_order_index(ranks, np.array(["a", "b", "a", "b"]))[0] == pytest.approx(0.0)
    assert np.isnan(first_order_index(np.ones((4, 1)), np.array(["a", "a", "b", "b"]))[0])


def test_weight_perturbation_is_centred_on_the_nominal_weights():
    rng = np.random.default_rng(0)
    nominal = np.array([0.5, 0.3, 0.2, 0.0])
    draws = np.array([perturb_weights(rng, nominal, 20.0) for _ in range(4000)])
    assert np.allclose(draws.sum(axis=1), 1.0)
    assert (draws[:, 3] == 0).all()  # a switched-off indicator stays off
    assert draws.mean(axis=0) == pytest.approx(nominal, abs=0.01)
    with pytest.raises(UncertaintyError):
        perturb_weights(rng, nominal, 0.0)
