"""Uncertainty and sensitivity of the composite rank (Saisana, Saltelli & Tarantola 2005;
COINr's approach): each Monte-Carlo draw recomputes the current composite and the ranks with
every methodological choice drawn at once:

  normalisation, aggregation  from [uncertainty] normalisations / aggregations
  weights                     Dirichlet around the nominal indicator and pillar weights
  indicator exclusion         none, or one indicator left out (uniform)  [exclusion = true]
  organisation list           seeds/security_igos.csv kind or kind_alternative
  corrections                 seeds/corrections.csv applied or not
  carry forward               slow commitments carried past their source's end, or not
  effort                      operational practice as counted, or per US$ 1 bn of military
                              expenditure (the per_milex indicators)  [efforts; drawn only
                              with draw_effort = true, else reported one at a time]

The smoothing window is another estimand (a multi-year mean, not a choice of method), so it
is not drawn: its one-at-a-time shift is reported on its own. Per country-year: the median rank,
the 5-95 % interval, the one-at-a-time shift of each factor and the first-order index
S = Var(E[rank | factor]) / Var(rank) of each categorical factor. The draws are scored in
batches that share a data variant, normalisation and aggregation (numpy matrix products), so
1,000 draws cost about as much as a few dozen single schemes.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from pipelines.errors import CoopError
from pipelines.indices.composite import (
    Prepared,
    Scheme,
    nominal_scheme,
    prepare,
    rank_columns,
    score_batch,
)
from pipelines.indices.config import (
    AGGREGATIONS,
    NORMALISATIONS,
    PILLARS,
    IndexDefinition,
    Uncertainty,
)

FACTORS = ("normalisation", "weights", "aggregation", "exclusion", "organisation_list",
           "corrections", "carry_forward", "effort", "window")
CATEGORICAL = ("normalisation", "aggregation", "exclusion", "organisation_list", "corrections",
               "carry_forward", "effort")
NONE = "none"


class UncertaintyError(CoopError):
    """The Monte-Carlo run cannot be done as configured."""


def perturb_weights(rng: np.random.Generator, nominal: np.ndarray,
                    concentration: float) -> np.ndarray:
    """A Dirichlet draw with mean `nominal`: alpha = concentration * k * nominal.

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


def _percentiles(sorted_ranks: np.ndarray, count: np.ndarray, q: float) -> np.ndarray:
    """Linear-interpolation percentile q (0-100) of each column of an ascending-sorted array
    whose first count[c] entries of column c are the valid ones (numpy's default method)."""
    position = (count - 1) * q / 100.0
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, count - 1)
    columns = np.arange(sorted_ranks.shape[1])
    below = sorted_ranks[low, columns]
    above = sorted_ranks[high, columns]
    return below + (above - below) * (position - low)


def rank_quantiles(ranks: np.ndarray) -> dict[str, np.ndarray]:
    """Median and 5th/95th percentiles of each column's ranks over the draws (rows) that rank
    it (a draw can leave a row unranked, e.g. without carried-forward values)."""
    count = (~np.isnan(ranks)).sum(axis=0)
    if (count == 0).any():
        raise UncertaintyError("a country-year is unranked in every draw; the panel is "
                               "inconsistent.")
    ordered = np.sort(ranks, axis=0)  # NaN sort last
    return {"median_rank": _percentiles(ordered, count, 50),
            "rank_p05": _percentiles(ordered, count, 5),
            "rank_p95": _percentiles(ordered, count, 95)}


class _Moments:
    """The rank statistics every first-order index of one sample shares (computed once)."""

    def __init__(self, ranks: np.ndarray):
        ranks = np.asarray(ranks, dtype=float)
        self.valid = (~np.isnan(ranks)).astype(float)
        self.filled = np.nan_to_num(ranks)
        self.count = self.valid.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.overall = self.filled.sum(axis=0) / self.count
            self.total = (self.filled ** 2).sum(axis=0) / self.count - self.overall ** 2

    def first_order(self, levels: np.ndarray) -> np.ndarray:
        _, codes = np.unique(levels, return_inverse=True)
        onehot = np.zeros((len(codes), codes.max() + 1))
        onehot[np.arange(len(codes)), codes] = 1.0
        n_level = onehot.T @ self.valid            # (levels, columns)
        sum_level = onehot.T @ self.filled
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_level = sum_level / np.where(n_level > 0, n_level, 1)
            between = (n_level / self.count * (mean_level - self.overall) ** 2).sum(axis=0)
            varies = self.total > 1e-12 * np.maximum(self.overall, 1) ** 2
            return np.where(varies, between / self.total, np.nan)


def first_order_index(ranks: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """S = Var over levels of E[rank | level] / Var(rank), per column; NaN if Var(rank) = 0.
    Draws that leave a column unranked are left out of that column. The conditional means
    are one matrix product of the levels' indicator matrix with the ranks."""
    return _Moments(ranks).first_order(np.asarray(levels))


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


def ranks_of(prepared: Prepared, schemes: list[Scheme], rows: np.ndarray) -> np.ndarray:
    """Ranks (len(schemes), len(rows)) of the given panel rows under every scheme, scoring
    the schemes in batches that share data variant, normalisation, aggregation and window."""
    out = np.full((len(schemes), len(rows)), np.nan)
    groups: dict[tuple, list[int]] = {}
    for position, s in enumerate(schemes):
        key = (s.organisation_list, s.corrections, s.carry, s.effort, s.normalisation,
               tuple(sorted(s.pillar_aggregation.items())), s.composite_aggregation, s.window)
        groups.setdefault(key, []).append(position)
    year = prepared.year
    for positions in groups.values():
        composite = score_batch(prepared, [schemes[p] for p in positions])["composite"]
        # Only rows with a nominal composite are ranked (no draw creates a composite where
        # the nominal scheme has none: the choices change values, not which are observed).
        out[positions] = rank_columns(year[rows], composite[rows]).T
    return out


def monte_carlo(panel: pd.DataFrame, definition: IndexDefinition,
                settings: Uncertainty | None = None,
                prepared: Prepared | None = None) -> tuple[pd.DataFrame, dict]:
    """Run the Monte-Carlo and the one-at-a-time analysis; returns (rows, summary)."""
    settings = settings or definition.uncertainty
    _check(settings, definition)
    prepared = prepared or prepare(panel, definition)
    nominal = nominal_scheme(prepared)
    rng = np.random.default_rng(settings.seed)
    nominal_composite = score_batch(prepared, [nominal])["composite"][:, 0]
    ranked = np.flatnonzero(~np.isnan(nominal_composite))
    if not len(ranked):
        raise UncertaintyError("no country-year has a composite; nothing to analyse.")
    nominal_rank = rank_columns(prepared.year[ranked], nominal_composite[ranked, None])[:, 0]
    names = [i.name for i in prepared.indicators]
    exclusions = [NONE, *names] if settings.exclusion else [NONE]

    schemes, chosen = [], {factor: [] for factor in CATEGORICAL}
    for _ in range(settings.draws):
        draw = {
            "normalisation": settings.normalisations[rng.integers(len(settings.normalisations))],
            "aggregation": settings.aggregations[rng.integers(len(settings.aggregations))],
            "exclusion": exclusions[rng.integers(len(exclusions))],
            "organisation_list": settings.organisation_lists[
                rng.integers(len(settings.organisation_lists))],
            "corrections": settings.corrections[rng.integers(len(settings.corrections))],
            "carry_forward": settings.carry_forward[rng.integers(len(settings.carry_forward))],
            # Drawn only with draw_effort and a choice (else the nominal effort, and the
            # seeded stream is the one without the factor).
            "effort": (settings.efforts[rng.integers(len(settings.efforts))]
                       if settings.draw_effort and len(settings.efforts) > 1
                       else nominal.effort),
        }
        scheme = _with_weights(
            replace(_with_aggregation(nominal, draw["aggregation"]),
                    normalisation=draw["normalisation"], window=1,
                    excluded=None if draw["exclusion"] == NONE else draw["exclusion"],
                    organisation_list=draw["organisation_list"],
                    corrections=draw["corrections"], carry=draw["carry_forward"],
                    effort=draw["effort"]),
            rng, settings.weight_concentration)
        schemes.append(scheme)
        for factor in CATEGORICAL:
            chosen[factor].append(str(draw[factor]))
    ranks = ranks_of(prepared, schemes, ranked)

    out = pd.DataFrame({"ccode": prepared.panel["ccode"].to_numpy()[ranked],
                        "year": prepared.year[ranked], "nominal_rank": nominal_rank})
    for name, values in rank_quantiles(ranks).items():
        out[name] = values
    out["rank_interval_width"] = out["rank_p95"] - out["rank_p05"]
    out["n_draws"] = settings.draws
    out["n_draws_ranked"] = (~np.isnan(ranks)).sum(axis=0)
    out["nominal_outside_interval"] = ((out["nominal_rank"] < out["rank_p05"])
                                       | (out["nominal_rank"] > out["rank_p95"]))

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
        "exclusion": [replace(nominal, excluded=n) for n in names] if settings.exclusion
        else [],
        "organisation_list": [replace(nominal, organisation_list=m)
                              for m in settings.organisation_lists if m != "nominal"],
        "corrections": [replace(nominal, corrections=False)] if False in settings.corrections
        else [],
        "carry_forward": [replace(nominal, carry=False)] if False in settings.carry_forward
        else [],
        "effort": [replace(nominal, effort=e) for e in settings.efforts if e != nominal.effort],
    }
    flat = [s for factor in FACTORS for s in alternatives[factor]]
    flat_ranks = ranks_of(prepared, flat, ranked) if flat else np.empty((0, len(ranked)))
    shifts, start = {}, 0
    for factor in FACTORS:
        count = len(alternatives[factor])
        if count:
            # A row the alternative leaves unranked (e.g. no military expenditure under the
            # relative effort) has no shift: NaN, without numpy's empty-slice warning.
            block = np.abs(flat_ranks[start:start + count] - nominal_rank)
            seen = (~np.isnan(block)).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                shift = np.where(seen > 0, np.nansum(block, axis=0) / seen, np.nan)
        else:
            shift = np.full(len(ranked), np.nan)
        start += count
        shifts[factor] = shift
        out[f"shift_{factor}"] = shift
    # The window, and the effort unless draw_effort, are reported apart: not "choices" here.
    drawn = [f for f in FACTORS if f != "window"
             and (f != "effort" or settings.draw_effort)]
    stacked = np.column_stack([shifts[f] for f in drawn])
    with np.errstate(invalid="ignore"):
        has_shift = ~np.isnan(stacked).all(axis=1) & (np.nan_to_num(stacked).max(axis=1) > 0)
    best = np.argmax(np.nan_to_num(stacked, nan=-1.0), axis=1)
    out["most_influential_choice"] = np.where(has_shift, np.array(drawn)[best], None)
    moments = _Moments(ranks)
    for factor in CATEGORICAL:
        out[f"first_order_{factor}"] = moments.first_order(np.array(chosen[factor]))

    summary = {
        "draws": settings.draws,
        "seed": settings.seed,
        "country_years": len(ranked),
        "mean_abs_rank_shift": {f: _mean_or_none(shifts[f]) for f in FACTORS},
        "mean_first_order_index": {f: _mean_or_none(out[f"first_order_{f}"].to_numpy())
                                   for f in CATEGORICAL},
        "mean_rank_interval_width": float(out["rank_interval_width"].mean()),
        "nominal_outside_interval": int(out["nominal_outside_interval"].sum()),
    }
    ranked_factors = [f for f in drawn if summary["mean_abs_rank_shift"][f] is not None]
    summary["most_influential_choice"] = max(
        ranked_factors, key=lambda f: summary["mean_abs_rank_shift"][f], default=None)
    return out, summary


def _mean_or_none(values: np.ndarray) -> float | None:
    values = np.asarray(values, dtype=float)
    return None if np.isnan(values).all() else round(float(np.nanmean(values)), 4)
