"""Transform and normalise indicators to a common 0-100 scale (OECD/JRC 2008, step 5).

Every method maps to 0-100 with 100 = most cooperation, so pillars can be compared (the
symbolic gap) and aggregated geometrically, and NaN (not observed) stays NaN: missing is never
turned into a value here. The reference set is the whole panel, every country-year where the
indicator is observed, so a score is comparable across years (as in the KOF index).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipelines.indices.config import IndexDefinitionError, Indicator, check_numeric_columns

_ERF = np.vectorize(math.erf, otypes=[float])


def transform(values: np.ndarray, kind: str) -> np.ndarray:
    """log1p compresses count indicators whose panel maxima are outliers (e.g. NATO states)."""
    values = np.asarray(values, dtype=float)
    if kind == "none":
        return values
    if kind == "log1p":
        if np.nanmin(values, initial=0.0) < 0:
            raise IndexDefinitionError("transform log1p needs non-negative values.")
        return np.log1p(values)
    raise IndexDefinitionError(f"unknown transform {kind!r}. Allowed: none, log1p.")


def minmax(values: np.ndarray) -> np.ndarray:
    """100 * (x - min) / (max - min) over the observed panel; a constant indicator scores 0."""
    values = np.asarray(values, dtype=float)
    if np.isnan(values).all():
        return values.copy()  # never observed (e.g. no expenditure figure): stays NaN
    low, high = np.nanmin(values), np.nanmax(values)
    if high == low:
        return np.where(np.isnan(values), np.nan, 0.0)
    return 100.0 * (values - low) / (high - low)


def zscore(values: np.ndarray) -> np.ndarray:
    """100 * Phi(z), z = (x - mean) / sd (population sd): a z-score put on 0-100 by the normal
    CDF, so it can enter a geometric mean; the order and the z distances are kept."""
    values = np.asarray(values, dtype=float)
    if np.isnan(values).all():
        return values.copy()
    sd = np.nanstd(values)
    if sd == 0:
        return np.where(np.isnan(values), np.nan, 50.0)
    z = (values - np.nanmean(values)) / sd
    out = np.full(values.shape, np.nan)
    observed = ~np.isnan(z)
    out[observed] = 50.0 * (1.0 + _ERF(z[observed] / math.sqrt(2.0)))
    return out


def percentile_rank(values: np.ndarray) -> np.ndarray:
    """100 * (r - 1) / (n - 1), r = average rank among the n observed values (ties share)."""
    series = pd.Series(np.asarray(values, dtype=float))
    n = int(series.notna().sum())
    if n <= 1:
        return np.where(series.isna(), np.nan, 50.0)
    ranks = series.rank(method="average").to_numpy()
    return 100.0 * (ranks - 1.0) / (n - 1.0)


def goalposts(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """100 * (x - low) / (high - low), clipped to [0, 100]: fixed bounds from the definition."""
    values = np.asarray(values, dtype=float)
    return np.clip(100.0 * (values - low) / (high - low), 0.0, 100.0)


def normalise(values: np.ndarray, method: str,
              bounds: tuple[float, float] | None = None) -> np.ndarray:
    if method == "minmax":
        return minmax(values)
    if method == "zscore":
        return zscore(values)
    if method == "rank":
        return percentile_rank(values)
    if method == "goalposts":
        if bounds is None:
            raise IndexDefinitionError("goalposts normalisation needs goalposts = [low, high].")
        return goalposts(values, *bounds)
    raise IndexDefinitionError(
        f"unknown normalisation {method!r}. Allowed: minmax, zscore, rank, goalposts.")


def normalise_indicator(values: np.ndarray, indicator: Indicator, method: str) -> np.ndarray:
    """Transform, normalise, then orient so that 100 always means more cooperation.

    Goalposts are given in raw units and transformed like the values.
    """
    transformed = transform(values, indicator.transform)
    bounds = None
    if indicator.goalposts is not None:
        bounds = tuple(float(b) for b in transform(np.array(indicator.goalposts),
                                                    indicator.transform))
    score = normalise(transformed, method, bounds)
    return 100.0 - score if indicator.direction == "negative" else score


def as_float(series: pd.Series) -> np.ndarray:
    """A numeric column as float with NaN for missing (DuckDB gives nullable integers)."""
    return series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def normalise_panel(panel: pd.DataFrame, indicators: tuple[Indicator, ...],
                    method: str) -> pd.DataFrame:
    """One normalised column per indicator, same index as the panel."""
    missing = [ind.name for ind in indicators if ind.name not in panel.columns]
    if missing:
        raise IndexDefinitionError(
            f"indices.toml: indicators {missing} are not columns of mart_country_year. "
            f"Allowed: {', '.join(c for c in panel.columns if c not in ('ccode', 'year'))}.")
    check_numeric_columns([ind.name for ind in indicators], dict(panel.dtypes))
    return pd.DataFrame(
        {ind.name: normalise_indicator(as_float(panel[ind.name]), ind, method)
         for ind in indicators},
        index=panel.index,
    )
