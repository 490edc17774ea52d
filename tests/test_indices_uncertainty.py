"""Monte-Carlo rank uncertainty: reproducible, loud on bad settings, consistent with the index."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from pipelines.indices.composite import cooperation_index
from pipelines.indices.uncertainty import (
    UncertaintyError,
    first_order_index,
    monte_carlo,
    perturb_weights,
)
from tests.test_indices_composite import random_panel, small


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
    assert summary["most_influential_choice"] in {"normalisation", "weights", "aggregation",
                                                  "window"}


def test_no_freedom_means_no_uncertainty():
    definition = small()
    fixed = settings_of(definition, draws=10, normalisations=("minmax",),
                        aggregations=("arithmetic",), windows=(1,),
                        weight_concentration=1e24)
    out, summary = monte_carlo(random_panel(), definition, fixed)
    assert np.allclose(out["median_rank"], out["nominal_rank"])
    assert np.allclose(out["rank_interval_width"], 0)
    # No alternative for these choices: their shift is unknown (NULL), not 0.
    assert out["shift_normalisation"].isna().all() and out["shift_window"].isna().all()
    assert summary["mean_abs_rank_shift"]["aggregation"] is None


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
