"""Monte-Carlo uncertainty and sensitivity analysis of the composite rank (Saisana et al. 2005).

Each draw re-computes the index with methodological choices sampled from indices.toml
[uncertainty]: the normalisation method, indicator and pillar weights (Dirichlet around the
nominal weights), the aggregation method and the smoothing window. Every country-year with a
nominal composite gets its median rank and a 5-95 % rank interval over the draws.

Which choice moves ranks most is measured one factor at a time from the nominal scheme (mean
absolute rank shift when only that factor changes) and, for the categorical factors, by the
first-order sensitivity index S = Var(E[rank | factor]) / Var(rank) from the Monte-Carlo
sample. The run is reproducible from the seed and fails loudly on an invalid setting.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from pipelines.errors import CoopError
from pipelines.indices.composite import (
    Grid,
    Scheme,
    nominal_scheme,
    normalised_pillars,
    rank_rows,
    score,
)
from pipelines.indices.config import (
    AGGREGATIONS,
    NORMALISATIONS,
    PILLARS,
    IndexDefinition,
    Uncertainty,
)

FACTORS = ("normalisation", "weights", "aggregation", "window")
CATEGORICAL = ("normalisation", "aggregation", "window")


class UncertaintyError(CoopError):
    """The Monte-Carlo run cannot be done as configured."""


def perturb_weights(rng: np.random.Generator, nominal: np.ndarray,
                    concentration: float) -> np.ndarray:
    """A Dirichlet draw with mean `nominal`: alpha = concentration * nominal.

    Larger concentration means draws closer to the nominal weights. An indicator with
    nominal weight 0 stays at 0 (it was switched off on purpose).
    """
    nominal = np.asarray(nominal, dtype=float)
    if concentration <= 0 or nominal.sum() <= 0:
        raise UncertaintyError("weight perturbation needs concentration > 0 and weights > 0.")
    nominal = nominal / nominal.sum()
    out = np.zeros_like(nominal)
    positive = nominal > 0
    if positive.sum() == 1:
        out[positive] = 1.0
        return out
    out[positive] = rng.dirichlet(concentration * nominal[positive] * positive.sum())
    return out


def rank_quantiles(ranks: np.ndarray) -> dict[str, np.ndarray]:
    """Median and 5th/95th percentiles of each column's ranks over the draws (rows)."""
    if np.isnan(ranks).any():
        raise UncertaintyError("a draw left a country-year unranked; the panel is inconsistent.")
    p05, median, p95 = np.percentile(ranks, [5, 50, 95], axis=0)
    return {"median_rank": median, "rank_p05": p05, "rank_p95": p95}


def first_order_index(ranks: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """S = Var over levels of E[rank | level] / Var(rank), per column; NaN if Var(rank) = 0."""
    total = ranks.var(axis=0)
    overall = ranks.mean(axis=0)
    between = np.zeros(ranks.shape[1])
    for level in np.unique(levels):
        chosen = levels == level
        between += chosen.mean() * (ranks[chosen].mean(axis=0) - overall) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, between / total, np.nan)


@dataclass
class Panel:
    """The inputs every draw shares: normalised matrices per method, rows and grids."""

    ccode: np.ndarray
    year: np.ndarray
    grid: Grid
    normalised: dict[str, dict[str, np.ndarray]]
    min_share: dict[str, float]
    ranked: np.ndarray  # rows with a nominal composite: the ones ranked and reported

    def ranks(self, scheme: Scheme) -> np.ndarray:
        composite = score(self.normalised[scheme.normalisation], scheme, self.grid,
                          self.min_share)["composite"]
        return rank_rows(self.ccode, self.year, composite)[self.ranked]


def _check(settings: Uncertainty, definition: IndexDefinition) -> None:
    if settings.draws < 1:
        raise UncertaintyError(f"uncertainty.draws must be >= 1 (got {settings.draws}).")
    for method in settings.normalisations:
        if method not in NORMALISATIONS:
            raise UncertaintyError(f"uncertainty.normalisations: unknown {method!r}. "
                                   f"Allowed: {', '.join(NORMALISATIONS)}.")
    for method in settings.aggregations:
        if method not in AGGREGATIONS:
            raise UncertaintyError(f"uncertainty.aggregations: unknown {method!r}. "
                                   f"Allowed: {', '.join(AGGREGATIONS)}.")
    for window in settings.windows:
        if not isinstance(window, int) or window < 1:
            raise UncertaintyError(f"uncertainty.windows: {window!r} must be an integer >= 1.")
    uses_goalposts = "goalposts" in (definition.composite.normalisation,
                                     *settings.normalisations)
    if uses_goalposts and any(ind.goalposts is None for ind in definition.indicators):
        raise UncertaintyError("goalposts normalisation needs goalposts on every indicator.")


def build_panel(panel: pd.DataFrame, definition: IndexDefinition,
                settings: Uncertainty) -> tuple[Panel, Scheme]:
    panel = panel.sort_values(["ccode", "year"]).reset_index(drop=True)
    methods = set(settings.normalisations) | {definition.composite.normalisation}
    normalised = {m: normalised_pillars(panel, definition, m) for m in sorted(methods)}
    nominal = nominal_scheme(definition, normalised[definition.composite.normalisation])
    ccode = panel["ccode"].to_numpy()
    year = panel["year"].to_numpy()
    shared = Panel(ccode, year, Grid.of(ccode, year), normalised,
                   {p: definition.pillars[p].min_share_observed for p in PILLARS},
                   np.zeros(len(panel), dtype=bool))
    composite = score(normalised[nominal.normalisation], nominal, shared.grid,
                      shared.min_share)["composite"]
    shared.ranked = ~np.isnan(composite)
    if not shared.ranked.any():
        raise UncertaintyError("no country-year has a composite; nothing to analyse.")
    return shared, nominal


def _with_aggregation(scheme: Scheme, method: str) -> Scheme:
    return replace(scheme, pillar_aggregation=dict.fromkeys(PILLARS, method),
                   composite_aggregation=method)


def _with_weights(scheme: Scheme, rng: np.random.Generator, concentration: float) -> Scheme:
    return replace(
        scheme,
        indicator_weights={p: perturb_weights(rng, w, concentration)
                           for p, w in scheme.indicator_weights.items()},
        pillar_weights=perturb_weights(rng, scheme.pillar_weights, concentration),
    )


def monte_carlo(panel: pd.DataFrame, definition: IndexDefinition,
                settings: Uncertainty | None = None) -> tuple[pd.DataFrame, dict]:
    """Run the Monte-Carlo and the one-at-a-time analysis; returns (rows, summary)."""
    settings = settings or definition.uncertainty
    _check(settings, definition)
    shared, nominal = build_panel(panel, definition, settings)
    rng = np.random.default_rng(settings.seed)
    nominal_rank = shared.ranks(nominal)

    n_rows = int(shared.ranked.sum())
    ranks = np.empty((settings.draws, n_rows))
    chosen = {factor: [] for factor in CATEGORICAL}
    for draw in range(settings.draws):
        normalisation = settings.normalisations[rng.integers(len(settings.normalisations))]
        aggregation = settings.aggregations[rng.integers(len(settings.aggregations))]
        window = settings.windows[rng.integers(len(settings.windows))]
        scheme = _with_weights(
            replace(_with_aggregation(nominal, aggregation), normalisation=normalisation,
                    window=window),
            rng, settings.weight_concentration)
        ranks[draw] = shared.ranks(scheme)
        chosen["normalisation"].append(normalisation)
        chosen["aggregation"].append(aggregation)
        chosen["window"].append(window)

    out = pd.DataFrame({"ccode": shared.ccode[shared.ranked], "year": shared.year[shared.ranked],
                        "nominal_rank": nominal_rank})
    for name, values in rank_quantiles(ranks).items():
        out[name] = values
    out["rank_interval_width"] = out["rank_p95"] - out["rank_p05"]
    out["n_draws"] = settings.draws

    # One at a time: the mean absolute rank shift when only that factor leaves the nominal.
    alternatives = {
        "normalisation": [replace(nominal, normalisation=m) for m in settings.normalisations
                          if m != nominal.normalisation],
        "aggregation": [_with_aggregation(nominal, m) for m in settings.aggregations
                        if m != nominal.composite_aggregation
                        or any(a != m for a in nominal.pillar_aggregation.values())],
        "window": [replace(nominal, window=w) for w in settings.windows if w != nominal.window],
        "weights": [_with_weights(nominal, rng, settings.weight_concentration)
                    for _ in range(settings.oat_weight_draws)],
    }
    shifts = {}
    for factor in FACTORS:
        schemes = alternatives[factor]
        if schemes:
            shift = np.mean([np.abs(shared.ranks(s) - nominal_rank) for s in schemes], axis=0)
        else:
            shift = np.full(n_rows, np.nan)
        shifts[factor] = shift
        out[f"shift_{factor}"] = shift
    stacked = np.column_stack([shifts[f] for f in FACTORS])
    with np.errstate(invalid="ignore"):
        has_shift = ~np.isnan(stacked).all(axis=1) & (np.nan_to_num(stacked).max(axis=1) > 0)
    best = np.argmax(np.nan_to_num(stacked, nan=-1.0), axis=1)
    out["most_influential_choice"] = np.where(has_shift, np.array(FACTORS)[best], None)
    for factor in CATEGORICAL:
        out[f"first_order_{factor}"] = first_order_index(ranks, np.array(chosen[factor]))

    summary = {
        "draws": settings.draws,
        "seed": settings.seed,
        "country_years": n_rows,
        "mean_abs_rank_shift": {f: _mean_or_none(shifts[f]) for f in FACTORS},
        "mean_first_order_index": {f: _mean_or_none(out[f"first_order_{f}"].to_numpy())
                                   for f in CATEGORICAL},
        "mean_rank_interval_width": float(out["rank_interval_width"].mean()),
    }
    ranked_factors = [f for f in FACTORS if summary["mean_abs_rank_shift"][f] is not None]
    summary["most_influential_choice"] = max(
        ranked_factors, key=lambda f: summary["mean_abs_rank_shift"][f], default=None)
    return out, summary


def _mean_or_none(values: np.ndarray) -> float | None:
    values = np.asarray(values, dtype=float)
    return None if np.isnan(values).all() else round(float(np.nanmean(values)), 4)
