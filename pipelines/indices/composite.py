"""The country-year cooperation index: weights, missing-data rule, aggregation, smoothing, rank.

Steps follow the OECD/JRC Handbook (2008) and the KOF Globalisation Index (Gygli et al.
2019): normalised indicators (normalise.py) -> pillar scores (institutional, operational) ->
composite. The same functions serve the published index and every Monte-Carlo draw
(uncertainty.py), so the nominal rank in mart_index_uncertainty is exactly the published rank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.indices.config import PILLARS, IndexDefinition, IndexDefinitionError
from pipelines.indices.normalise import normalise_panel


def pca_weights(matrix: np.ndarray) -> np.ndarray:
    """Weights from the first principal component of the standardised indicators.

    Absolute loadings normalised to sum 1, estimated on the complete rows. An indicator with
    no variance has no defined correlation, so it is an error rather than a silent weight.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.shape[1] == 1:
        return np.ones(1)
    complete = matrix[~np.isnan(matrix).any(axis=1)]
    if complete.shape[0] < 3:
        raise IndexDefinitionError("pca weights need at least 3 complete rows of indicators.")
    sd = complete.std(axis=0)
    if (sd == 0).any():
        raise IndexDefinitionError(
            "pca weights: an indicator has no variance on the complete rows; use equal or "
            "explicit weights.")
    standardised = (complete - complete.mean(axis=0)) / sd
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(standardised, rowvar=False, ddof=0))
    loadings = np.abs(eigenvectors[:, np.argmax(eigenvalues)])
    return loadings / loadings.sum()


def aggregate(values: np.ndarray, weights: np.ndarray, method: str,
              min_share_observed: float) -> np.ndarray:
    """Weighted mean of each row over its observed columns, or NaN.

    Missing rule: a row needs at least `min_share_observed` of its columns (by count)
    observed; the weights are then re-scaled over the observed columns. Geometric is the
    shifted weighted geometric mean exp(sum w log(1 + x) / sum w) - 1, so a 0 (a measured
    absence) does not force the whole score to 0 and the result stays on 0-100.
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if values.ndim != 2 or values.shape[1] != weights.shape[0]:
        raise ValueError("values must be (rows, k) and weights (k,)")
    observed = ~np.isnan(values)
    share = observed.sum(axis=1) / values.shape[1]
    used = observed * weights
    denominator = used.sum(axis=1)
    filled = np.where(observed, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "arithmetic":
            score = (filled * used).sum(axis=1) / denominator
        elif method == "geometric":
            score = np.expm1((np.log1p(filled) * used).sum(axis=1) / denominator)
        else:
            raise IndexDefinitionError(
                f"unknown aggregation {method!r}. Allowed: arithmetic, geometric.")
    score[(share < min_share_observed - 1e-12) | (denominator <= 0)] = np.nan
    return score


def trailing_mean(dense: np.ndarray, window: int) -> np.ndarray:
    """Mean of each row over the last `window` columns (years) that are observed.

    dense is (countries, consecutive years). A cell that is NaN stays NaN (no value is
    invented for a year without data); earlier missing years are skipped, not counted as 0.
    """
    if window < 1:
        raise ValueError("window must be >= 1")
    if window == 1:
        return dense.copy()
    observed = ~np.isnan(dense)
    filled = np.where(observed, dense, 0.0)
    sums = np.zeros_like(filled)
    counts = np.zeros_like(filled)
    for lag in range(window):
        sums[:, lag:] += filled[:, : filled.shape[1] - lag]
        counts[:, lag:] += observed[:, : filled.shape[1] - lag]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = sums / counts
    out[~observed] = np.nan
    return out


RANK_TOLERANCE = 1e-9


def rank_descending(dense: np.ndarray) -> np.ndarray:
    """Rank within each column (year), 1 = highest; ties share the best rank; NaN unranked.

    Scores closer than RANK_TOLERANCE (on 0-100) are ties, so floating-point noise from a
    different order of summation never changes a rank.
    """
    ranks = np.full(dense.shape, np.nan)
    for column in range(dense.shape[1]):
        present = ~np.isnan(dense[:, column])
        values = dense[present, column]
        ordered = np.sort(values)
        # How many values exceed this one by more than the tolerance (sorted: a binary search,
        # not the all-pairs comparison, which was 0.7M comparisons a year a draw).
        greater = len(ordered) - np.searchsorted(ordered, values + RANK_TOLERANCE, side="right")
        ranks[present, column] = 1.0 + greater
    return ranks


@dataclass(frozen=True)
class Grid:
    """Maps panel rows (ccode, year) to a dense countries x years array and back."""

    ccodes: np.ndarray
    years: np.ndarray
    row_country: np.ndarray
    row_year: np.ndarray

    @classmethod
    def of(cls, ccode: np.ndarray, year: np.ndarray) -> Grid:
        ccodes = np.unique(ccode)
        years = np.arange(int(year.min()), int(year.max()) + 1)
        return cls(ccodes, years, np.searchsorted(ccodes, ccode), year - years[0])

    def dense(self, values: np.ndarray) -> np.ndarray:
        out = np.full((len(self.ccodes), len(self.years)), np.nan)
        out[self.row_country, self.row_year] = values
        return out

    def rows(self, dense: np.ndarray) -> np.ndarray:
        return dense[self.row_country, self.row_year]


def rank_rows(ccode: np.ndarray, year: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Rank of each row among the rows of its year with a value (1 = highest), else NaN."""
    ranked = ~np.isnan(values)
    rank = np.full(len(values), np.nan)
    if ranked.any():
        grid = Grid.of(ccode[ranked], year[ranked])
        rank[ranked] = grid.rows(rank_descending(grid.dense(values[ranked])))
    return rank


@dataclass(frozen=True)
class Scheme:
    """One set of methodological choices (the nominal one, or one Monte-Carlo draw)."""

    normalisation: str
    pillar_aggregation: dict[str, str]
    composite_aggregation: str
    indicator_weights: dict[str, np.ndarray]
    pillar_weights: np.ndarray
    window: int


def score(normalised: dict[str, np.ndarray], scheme: Scheme, grid: Grid,
          min_share: dict[str, float]) -> dict[str, np.ndarray]:
    """Pillar scores (smoothed over `scheme.window` years) and composite for the panel rows."""
    pillars = {}
    for name in PILLARS:
        raw = aggregate(normalised[name], scheme.indicator_weights[name],
                        scheme.pillar_aggregation[name], min_share[name])
        pillars[name] = grid.rows(trailing_mean(grid.dense(raw), scheme.window))
    stacked = np.column_stack([pillars[name] for name in PILLARS])
    composite = aggregate(stacked, scheme.pillar_weights, scheme.composite_aggregation, 1.0)
    return {**pillars, "composite": composite}


def nominal_weights(definition: IndexDefinition, normalised: dict[str, np.ndarray]
                    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Indicator weights per pillar and pillar weights, as the definition asks."""
    indicator_weights = {}
    for name in PILLARS:
        pillar = definition.pillars[name]
        members = definition.pillar_indicators(name)
        if pillar.weights == "equal":
            weights = np.ones(len(members))
        elif pillar.weights == "explicit":
            weights = np.array([ind.weight for ind in members])
        else:
            weights = pca_weights(normalised[name])
        indicator_weights[name] = weights / weights.sum()
    method = definition.composite.weights
    if method == "equal":
        pillar_weights = np.ones(len(PILLARS))
    elif method == "explicit":
        pillar_weights = np.array([definition.composite.pillar_weights[p] for p in PILLARS])
    else:
        pillar_scores = np.column_stack([
            aggregate(normalised[p], indicator_weights[p], definition.pillars[p].aggregation,
                      definition.pillars[p].min_share_observed) for p in PILLARS])
        pillar_weights = pca_weights(pillar_scores)
    return indicator_weights, pillar_weights / pillar_weights.sum()


def normalised_pillars(panel: pd.DataFrame, definition: IndexDefinition,
                       method: str) -> dict[str, np.ndarray]:
    return {
        name: normalise_panel(panel, definition.pillar_indicators(name), method).to_numpy()
        for name in PILLARS
    }


def nominal_scheme(definition: IndexDefinition, normalised: dict[str, np.ndarray]) -> Scheme:
    indicator_weights, pillar_weights = nominal_weights(definition, normalised)
    return Scheme(
        normalisation=definition.composite.normalisation,
        pillar_aggregation={p: definition.pillars[p].aggregation for p in PILLARS},
        composite_aggregation=definition.composite.aggregation,
        indicator_weights=indicator_weights,
        pillar_weights=pillar_weights,
        window=definition.composite.window,
    )


def cooperation_index(panel: pd.DataFrame, definition: IndexDefinition) -> pd.DataFrame:
    """The published index for every row of the panel (ccode, year, indicator columns).

    Returns ccode, year, institutional, operational, composite (0-100, NULL unless both
    pillars exist), rank and n_ranked per year, observed/total indicators per pillar, the
    symbolic gap (institutional - operational) and the weights used.
    """
    panel = panel.sort_values(["ccode", "year"]).reset_index(drop=True)
    grid = Grid.of(panel["ccode"].to_numpy(), panel["year"].to_numpy())
    normalised = normalised_pillars(panel, definition, definition.composite.normalisation)
    scheme = nominal_scheme(definition, normalised)
    min_share = {p: definition.pillars[p].min_share_observed for p in PILLARS}
    scores = score(normalised, scheme, grid, min_share)
    rank = rank_rows(panel["ccode"].to_numpy(), panel["year"].to_numpy(), scores["composite"])
    out = panel[["ccode", "year"]].copy()
    for name in PILLARS:
        out[name] = scores[name]
    out["composite"] = scores["composite"]
    out["symbolic_gap"] = out["institutional"] - out["operational"]
    out["rank"] = pd.array(rank, dtype="Float64").astype("Int64")
    out["n_ranked"] = out.groupby("year")["composite"].transform("count").astype("Int64")
    out.loc[out["composite"].isna(), "n_ranked"] = pd.NA
    for name in PILLARS:
        observed = ~np.isnan(normalised[name])
        out[f"{name}_indicators_observed"] = observed.sum(axis=1)
        out[f"{name}_indicators_total"] = observed.shape[1]
    out.attrs["weights"] = {
        "indicators": {p: dict(zip([i.name for i in definition.pillar_indicators(p)],
                                   scheme.indicator_weights[p].round(6).tolist(), strict=True))
                       for p in PILLARS},
        "pillars": dict(zip(PILLARS, scheme.pillar_weights.round(6).tolist(), strict=True)),
    }
    return out
