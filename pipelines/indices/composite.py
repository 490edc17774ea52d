"""The country-year cooperation index: weights, missing-data rule, aggregation, smoothing, rank.

Steps follow the OECD/JRC Handbook (2008) and the KOF Globalisation Index (Gygli et al.
2019): normalised indicators (normalise.py) -> pillar scores (institutional, operational) ->
composite. The same functions serve the published index and every Monte-Carlo draw
(uncertainty.py), so the nominal rank in mart_index_uncertainty is exactly the published rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace as _replace

import numpy as np
import pandas as pd

from pipelines.indices.config import PILLARS, IndexDefinition, IndexDefinitionError
from pipelines.indices.normalise import as_float, normalise_panel


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


# ---------------------------------------------------------------------------------------------
# Methodology v2: scoring many schemes at once (the nominal one is a batch of one).
#
# A panel row is scored only if the state was a system member for min_months_member months of
# the year and the year is an index year. Each composite kind has, per row, the set of
# indicators it may use: the "current" composite the indicators observed that year for at
# least current_min_coverage of the scored states (the set is recorded per year), the "core"
# composite the fixed core set in every year (a row without every core indicator is NULL, so a
# source's end can never re-base it silently).
# ---------------------------------------------------------------------------------------------

KINDS = ("current", "core")


def pillar_scores(values: np.ndarray, weights: np.ndarray, allowed: np.ndarray,
                  min_share: float, method: str) -> np.ndarray:
    """Pillar scores of every row (N) under every weight column (D): (N, D).

    values (N, k) normalised, NaN = not observed; weights (k, D) >= 0 (an excluded indicator
    has weight 0 in its draw); allowed (N, k) the indicators the row's set contains. A row
    needs at least `min_share` of its allowed indicators observed (by count); the weights are
    re-scaled over the observed, allowed ones. Arithmetic or shifted geometric mean.
    """
    observed = ~np.isnan(values) & allowed
    filled = np.where(observed, values, 0.0)
    if method == "geometric":
        filled = np.log1p(filled)
    elif method != "arithmetic":
        raise IndexDefinitionError(f"unknown aggregation {method!r}. Allowed: arithmetic, "
                                   "geometric.")
    numerator = filled @ weights
    denominator = observed.astype(float) @ weights
    total = allowed.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = observed.sum(axis=1) / total
        out = numerator / denominator
    if method == "geometric":
        out = np.expm1(out)
    bad = (total == 0) | (share < min_share - 1e-12)
    out[bad, :] = np.nan
    out[denominator <= 0] = np.nan
    return out


def composite_scores(pillars: list[np.ndarray], weights: np.ndarray, method: str) -> np.ndarray:
    """Composite of the pillar scores (each (N, D)) with pillar weights (P, D); NaN unless
    every pillar exists (the composite only where its inputs exist)."""
    stacked = np.stack(pillars)                      # (P, N, D)
    w = weights[:, None, :] / weights.sum(axis=0)[None, None, :]
    if method == "arithmetic":
        out = (stacked * w).sum(axis=0)
    elif method == "geometric":
        out = np.expm1((np.log1p(stacked) * w).sum(axis=0))
    else:
        raise IndexDefinitionError(f"unknown aggregation {method!r}. Allowed: arithmetic, "
                                   "geometric.")
    return out  # NaN propagates from any missing pillar


def rank_columns(year: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Rank of each row within its year, for every column of scores (N, D); 1 = highest,
    ties (closer than RANK_TOLERANCE) share the best rank, NaN unranked.

    Exactly rank_descending per column, vectorised over columns: each column's values are
    shifted by 1000 * column (scores lie in 0-100), so one sort and one binary search rank
    every column of a year at once.
    """
    ranks = np.full(scores.shape, np.nan)
    n_cols = scores.shape[1]
    offsets = 1000.0 * np.arange(n_cols)
    for value in np.unique(year):
        rows = np.flatnonzero(year == value)
        block = scores[rows]
        present = ~np.isnan(block)
        if not present.any():
            continue
        shifted = np.where(present, block, -500.0) + offsets
        ordered = np.sort(shifted.ravel(order="F"))
        column_end = len(rows) * (np.arange(n_cols) + 1)
        above = column_end[None, :] - np.searchsorted(ordered, shifted + RANK_TOLERANCE,
                                                      side="right")
        ranks[rows] = np.where(present, 1.0 + above, np.nan)
    return ranks


def carry_forward(panel: pd.DataFrame, indicators, index_rows: np.ndarray,
                  changes: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Last observation carried forward, after the source ends, for slow commitments.

    Only indicators with carry_forward > 0 (treaty commitments and memberships), only for
    years after the last year the indicator is observed anywhere (never inside a source's
    years), and at most carry_forward years after the state's own last observation.
    `changes` (optional, columns named as the indicators, aligned with `panel`): documented
    changes after the source's end (a NATO accession: +1 military organisation), added to
    the carried value where one is imputed (never below 0), so that a carried roster is not
    blind to an accession a treaty act records. Returns the filled panel and a same-shaped
    frame of booleans: True where imputed.
    """
    filled = panel.copy()
    flags = pd.DataFrame(False, index=panel.index, columns=[i.name for i in indicators])
    year = panel["year"].to_numpy()
    for ind in indicators:
        if ind.carry_forward <= 0 or ind.name not in panel.columns:
            continue
        values = panel[ind.name]
        observed = values.notna().to_numpy()
        if not observed.any():
            continue
        source_end = int(year[observed].max())
        last_value = values.groupby(panel["ccode"]).ffill()
        last_year = pd.Series(np.where(observed, year, np.nan), index=panel.index
                              ).groupby(panel["ccode"]).ffill().to_numpy()
        impute = (~observed & (year > source_end) & ~np.isnan(last_year)
                  & (year - last_year <= ind.carry_forward) & last_value.notna().to_numpy()
                  & index_rows)
        carried = last_value.to_numpy(dtype=float)
        if changes is not None and ind.name in changes.columns:
            carried = np.maximum(carried + changes[ind.name].fillna(0).to_numpy(dtype=float),
                                 0.0)
        filled.loc[impute, ind.name] = carried[impute]
        flags.loc[impute, ind.name] = True
    return filled, flags


def indicator_sets(year: np.ndarray, observed: np.ndarray, scored: np.ndarray,
                   core: np.ndarray, min_coverage: float,
                   pillar_of: np.ndarray | None = None,
                   min_share: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    """Per row, the indicators each composite kind may use: (N, k) booleans.

    current: the indicators observed that year for >= min_coverage of the scored states;
    core: the core indicators, every year.

    The year-level missing-data rule: the rule a row meets (a pillar needs min_share of its
    indicators) applies to the year's set too. A year whose current set holds less than
    min_share[p] of pillar p's indicators (by count) gets an empty set, so no current
    composite: the pillar would otherwise rest on a remnant of its definition (2025: the
    operational pillar would be arms transfers alone).
    """
    current = np.zeros(observed.shape, dtype=bool)
    for value in np.unique(year[scored]):
        rows = scored & (year == value)
        coverage = observed[rows].mean(axis=0)
        chosen = coverage >= min_coverage - 1e-12
        if pillar_of is not None and min_share is not None:
            for pillar, share in min_share.items():
                members = pillar_of == pillar
                if members.any() and chosen[members].mean() < share - 1e-12:
                    chosen = np.zeros_like(chosen)
        current[year == value] = chosen
    return {"current": current, "core": np.broadcast_to(core, observed.shape).copy()}


@dataclass(frozen=True)
class Scheme:
    """One set of methodological choices (the nominal one, or one Monte-Carlo draw)."""

    normalisation: str
    pillar_aggregation: dict[str, str]
    composite_aggregation: str
    indicator_weights: dict[str, np.ndarray]
    pillar_weights: np.ndarray
    window: int = 1
    organisation_list: str = "nominal"
    corrections: bool = True
    carry: bool = True
    excluded: str | None = None
    effort: str = "absolute"


@dataclass
class Prepared:
    """The panel restricted to the index rows, with everything the schemes share."""

    panel: pd.DataFrame              # sorted (ccode, year), every input row
    definition: IndexDefinition
    indicators: tuple                # the indicators used (present, with variance)
    dropped: dict[str, str]          # indicator -> why it is not used
    scored: np.ndarray               # rows that are scored
    year: np.ndarray
    grid: Grid
    _cache: dict

    def pillar_names(self, pillar: str) -> list[str]:
        return [i.name for i in self.indicators if i.pillar == pillar]

    def effort_indicators(self, effort: str) -> tuple:
        """The indicators as normalised under an effort variant (per-milex goalposts)."""
        if effort == "absolute":
            return self.indicators
        return tuple(_replace(i, goalposts=i.goalposts_per_milex) if i.per_milex else i
                     for i in self.indicators)

    def variant(self, organisation_list: str, corrections: bool, carry: bool,
                effort: str = "absolute") -> dict:
        """Raw values, imputed and estimated flags and indicator sets for one data variant."""
        key = (organisation_list, corrections, carry, effort)
        if key not in self._cache:
            from pipelines.indices.inputs import variant_column
            frame = pd.DataFrame({
                i.name: as_float(self.panel[variant_column(i.name, organisation_list,
                                                           corrections)])
                for i in self.indicators}, index=self.panel.index)
            estimated = np.zeros((len(frame), len(self.indicators)), dtype=bool)
            if effort == "relative_to_milex":
                ratio, milex_estimated = per_milex(self.panel)
                for column, ind in enumerate(self.indicators):
                    if ind.per_milex:
                        frame[ind.name] = frame[ind.name].to_numpy() * ratio
                        estimated[:, column] = milex_estimated & frame[ind.name].notna()
            frame[~self.scored] = np.nan
            frame.insert(0, "ccode", self.panel["ccode"].to_numpy())
            frame.insert(1, "year", self.year)
            imputed = pd.DataFrame(False, index=frame.index,
                                   columns=[i.name for i in self.indicators])
            if carry:
                from pipelines.indices.inputs import after_source_column
                changes = pd.DataFrame({
                    i.name: as_float(self.panel[column]) for i in self.indicators
                    if (column := after_source_column(i.name, organisation_list, corrections))
                    in self.panel.columns}, index=self.panel.index)
                frame, imputed = carry_forward(frame, self.indicators, self.scored, changes)
            values = frame[[i.name for i in self.indicators]].to_numpy(dtype=float)
            core = np.array([i.core for i in self.indicators])
            sets = indicator_sets(
                self.year, ~np.isnan(values), self.scored, core,
                self.definition.composite.current_min_coverage,
                np.array([i.pillar for i in self.indicators]),
                {p: self.definition.pillars[p].min_share_observed for p in PILLARS})
            estimated &= ~np.isnan(values)
            self._cache[key] = {"frame": frame, "imputed": imputed.to_numpy(),
                                "estimated": estimated, "sets": sets, "normalised": {}}
        return self._cache[key]

    def scheme_variant(self, scheme: Scheme) -> dict:
        return self.variant(scheme.organisation_list, scheme.corrections, scheme.carry,
                            scheme.effort)

    def normalised(self, scheme: Scheme) -> dict[str, np.ndarray]:
        data = self.scheme_variant(scheme)
        if scheme.normalisation not in data["normalised"]:
            frame = data["frame"]
            indicators = self.effort_indicators(scheme.effort)
            data["normalised"][scheme.normalisation] = {
                p: normalise_panel(frame, tuple(i for i in indicators if i.pillar == p),
                                   scheme.normalisation).to_numpy()
                for p in PILLARS}
        return data["normalised"][scheme.normalisation]

    def allowed(self, scheme: Scheme, kind: str, pillar: str) -> np.ndarray:
        sets = self.scheme_variant(scheme)["sets"]
        columns = [n for n, i in enumerate(self.indicators) if i.pillar == pillar]
        return sets[kind][:, columns]


MILEX_COLUMN = "milex_constant_usd_m"
MILEX_FLAGS = ("milex_usd_is_estimate", "milex_usd_is_uncertain")


def per_milex(panel: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The factor that puts a count per US$ 1 bn of military expenditure, and whether that
    expenditure is a SIPRI estimate (blue) or highly uncertain (red), per panel row.

    factor = 1000 / milex (milex in US$ m, constant prices); NaN where SIPRI has no figure
    or reports no spending (0, a state without armed forces): a ratio to nothing is not
    measured, never 0 and never infinite. Missing flag columns count as not estimated.
    """
    if MILEX_COLUMN not in panel.columns:
        raise IndexDefinitionError(
            f"the relative_to_milex effort needs column {MILEX_COLUMN} of mart_country_year "
            "(SIPRI military expenditure); it is absent from this build. Set "
            "[composite] effort = \"absolute\" and [uncertainty] efforts = [\"absolute\"].")
    milex = as_float(panel[MILEX_COLUMN])
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(milex > 0, 1000.0 / milex, np.nan)
    estimated = np.zeros(len(panel), dtype=bool)
    for column in MILEX_FLAGS:
        if column in panel.columns:
            estimated |= panel[column].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return factor, estimated & ~np.isnan(factor)


def prepare(panel: pd.DataFrame, definition: IndexDefinition) -> Prepared:
    """Sort the panel, decide the scored rows and the indicators used (with the reasons for
    any left out: a pending source's absent column, or no variance in the index years)."""
    panel = panel.sort_values(["ccode", "year"]).reset_index(drop=True)
    if definition.composite.first_year is not None:
        # Rows before the index years are never scored: leave them out of every matrix.
        panel = panel[panel["year"] >= definition.composite.first_year].reset_index(drop=True)
    year = panel["year"].to_numpy().astype(int)
    scored = np.ones(len(panel), dtype=bool)
    if "months_member" in panel.columns:
        months = as_float(panel["months_member"])
        scored &= np.nan_to_num(months, nan=12.0) >= definition.composite.min_months_member
    used, dropped = [], {}
    for ind in definition.indicators:
        if ind.name not in panel.columns:
            if ind.optional:
                dropped[ind.name] = "pending: its source is not in this build"
                continue
            normalise_panel(panel, (ind,), "minmax")  # raises the missing-column error
        values = as_float(panel[ind.name])[scored]
        values = values[~np.isnan(values)]
        if len(values) and values.min() == values.max():
            dropped[ind.name] = "no variance in the index years"
            continue
        used.append(ind)
    for name in PILLARS:
        if not any(i.pillar == name for i in used):
            raise IndexDefinitionError(
                f"indices.toml: pillar {name!r} has no usable indicator "
                f"(left out: {', '.join(f'{k} ({v})' for k, v in dropped.items()) or 'none'}).")
    return Prepared(panel, definition, tuple(used), dropped, scored, year,
                    Grid.of(panel["ccode"].to_numpy(), year), {})


def nominal_weights(prepared: Prepared, normalised: dict[str, np.ndarray]
                    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Indicator weights per pillar and pillar weights, as the definition asks."""
    definition = prepared.definition
    indicator_weights = {}
    for name in PILLARS:
        pillar = definition.pillars[name]
        members = [i for i in prepared.indicators if i.pillar == name]
        if pillar.weights == "equal":
            weights = np.ones(len(members))
        elif pillar.weights == "explicit":
            weights = np.array([ind.weight for ind in members])
            if weights.sum() <= 0:
                weights = np.ones(len(members))
        else:
            weights = pca_weights(normalised[name])
        indicator_weights[name] = weights / weights.sum()
    method = definition.composite.weights
    if method == "equal":
        pillar_weights = np.ones(len(PILLARS))
    elif method == "explicit":
        pillar_weights = np.array([definition.composite.pillar_weights[p] for p in PILLARS])
    else:
        pillar_scores_ = np.column_stack([
            aggregate(normalised[p], indicator_weights[p], definition.pillars[p].aggregation,
                      definition.pillars[p].min_share_observed) for p in PILLARS])
        pillar_weights = pca_weights(pillar_scores_)
    return indicator_weights, pillar_weights / pillar_weights.sum()


def nominal_scheme(prepared: Prepared) -> Scheme:
    definition = prepared.definition
    base = Scheme(definition.composite.normalisation, {}, "", {}, np.ones(len(PILLARS)))
    indicator_weights, pillar_weights = nominal_weights(prepared, prepared.normalised(base))
    return Scheme(
        normalisation=definition.composite.normalisation,
        pillar_aggregation={p: definition.pillars[p].aggregation for p in PILLARS},
        composite_aggregation=definition.composite.aggregation,
        indicator_weights=indicator_weights,
        pillar_weights=pillar_weights,
        window=definition.composite.window,
        effort=definition.composite.effort,
    )


def weight_matrix(prepared: Prepared, schemes: list[Scheme], pillar: str) -> np.ndarray:
    """(k, D): each scheme's indicator weights of the pillar, 0 for an excluded indicator."""
    names = prepared.pillar_names(pillar)
    columns = []
    for scheme in schemes:
        w = np.array(scheme.indicator_weights[pillar], dtype=float)
        if scheme.excluded in names:
            w = w.copy()
            w[names.index(scheme.excluded)] = 0.0
        columns.append(w)
    return np.column_stack(columns)


def score_batch(prepared: Prepared, schemes: list[Scheme], kind: str = "current"
                ) -> dict[str, np.ndarray]:
    """Pillars and composite of every panel row under schemes that share the data variant,
    normalisation, aggregation and window: each (N, D)."""
    first = schemes[0]
    normalised = prepared.normalised(first)
    definition = prepared.definition
    pillars = {}
    for name in PILLARS:
        raw = pillar_scores(normalised[name], weight_matrix(prepared, schemes, name),
                            prepared.allowed(first, kind, name),
                            definition.pillars[name].min_share_observed,
                            first.pillar_aggregation[name])
        if first.window > 1:
            raw = np.column_stack([
                prepared.grid.rows(trailing_mean(prepared.grid.dense(raw[:, d]), first.window))
                for d in range(raw.shape[1])])
        pillars[name] = raw
    weights = np.column_stack([s.pillar_weights for s in schemes])
    composite = composite_scores([pillars[p] for p in PILLARS], weights,
                                 first.composite_aggregation)
    return {**pillars, "composite": composite}


def effective_weights(prepared: Prepared, scheme: Scheme, composite: np.ndarray) -> pd.DataFrame:
    """How much each indicator drives the composite: the squared Pearson correlation of the
    normalised indicator with the composite over the ranked rows (the correlation ratio of a
    linear fit, as in COINr's effective-weight analysis), and that share of the sum."""
    normalised = prepared.normalised(scheme)
    rows = []
    ranked = ~np.isnan(composite)
    for pillar in PILLARS:
        names = prepared.pillar_names(pillar)
        for column, name in enumerate(names):
            x = normalised[pillar][:, column]
            both = ranked & ~np.isnan(x)
            r2 = (float(np.corrcoef(x[both], composite[both])[0, 1] ** 2)
                  if both.sum() > 2 and x[both].std() > 0 else float("nan"))
            rows.append({"indicator": name, "pillar": pillar,
                         "nominal_weight": float(scheme.indicator_weights[pillar][column]
                                                 * scheme.pillar_weights[PILLARS.index(pillar)]),
                         "r2": r2, "rows_observed": int(both.sum())})
    out = pd.DataFrame(rows)
    out["effective_weight"] = out["r2"] / out["r2"].sum()
    return out


def index_inputs(prepared: Prepared, data: dict, names: list[str]) -> pd.DataFrame:
    """The indicator values the published composite used, one row per scored state-year and
    indicator (long format): the value in the indicator's own unit (after the corrections,
    the carry-forward and, under the relative effort, the division by military expenditure),
    whether it was carried forward (imputed), whether it rests on an estimated expenditure,
    and whether it is in the year's current set and in the core set. NULL stays NULL."""
    frame = data["frame"]
    scored = prepared.scored
    current = data["sets"]["current"]
    core = data["sets"]["core"]
    parts = []
    for column, name in enumerate(names):
        parts.append(pd.DataFrame({
            "ccode": frame["ccode"].to_numpy()[scored],
            "year": frame["year"].to_numpy()[scored],
            "indicator": name,
            "value": frame[name].to_numpy(dtype=float)[scored],
            "imputed": data["imputed"][scored, column],
            "milex_estimated": data["estimated"][scored, column],
            "in_current_set": current[scored, column],
            "in_core_set": core[scored, column],
        }))
    return pd.concat(parts, ignore_index=True).sort_values(
        ["ccode", "year", "indicator"]).reset_index(drop=True)


def cooperation_index(panel: pd.DataFrame, definition: IndexDefinition) -> pd.DataFrame:
    """The published index for every row of the panel (ccode, year, indicator columns).

    Returns per row: the current composite (institutional, operational, composite, rank,
    n_ranked, indicator_set of its year), the core composite (core_* columns), the pillar
    gap, what was imputed (carried forward) and which corrections entered, whether the
    state-year is scored and why not. attrs: weights, effective weights, indicators left out.
    """
    prepared = prepare(panel, definition)
    scheme = nominal_scheme(prepared)
    year = prepared.year
    out = prepared.panel[["ccode", "year"]].copy()
    if not len(out):
        raise IndexDefinitionError("no panel row lies in the index years.")
    for kind in KINDS:
        scores = score_batch(prepared, [scheme], kind)
        prefix = "" if kind == "current" else "core_"
        for name in (*PILLARS, "composite"):
            out[prefix + name] = scores[name][:, 0]
        rank = rank_columns(year, scores["composite"])[:, 0]
        out[prefix + "rank"] = pd.array(rank, dtype="Float64").astype("Int64")
        out[prefix + "n_ranked"] = out.groupby("year")[prefix + "composite"].transform(
            "count").astype("Int64")
        out.loc[out[prefix + "composite"].isna(), prefix + "n_ranked"] = pd.NA
    out["pillar_gap"] = out["institutional"] - out["operational"]
    data = prepared.scheme_variant(scheme)
    names = [i.name for i in prepared.indicators]
    current = data["sets"]["current"]
    # NULL for a row not scored, and for a year whose set fails the year-level rule.
    out["indicator_set"] = [(", ".join(n for n, on in zip(names, row, strict=True) if on)
                             or None) if s else None
                            for row, s in zip(current, prepared.scored, strict=True)]
    imputed = data["imputed"] & current
    out["imputed_indicators"] = [", ".join(n for n, on in zip(names, row, strict=True) if on)
                                 or None for row in imputed]
    # Values resting on a SIPRI-estimated or highly uncertain military expenditure (only the
    # relative_to_milex effort divides by it; NULL under the absolute effort).
    estimated = data["estimated"] & current
    out["estimated_indicators"] = [", ".join(n for n, on in zip(names, row, strict=True)
                                             if on) or None for row in estimated]
    out["effort"] = scheme.effort
    out["scored"] = prepared.scored
    if "months_member" in prepared.panel.columns:
        out["months_member"] = as_float(prepared.panel["months_member"])
    else:
        out["months_member"] = np.nan
    out["corrections_applied"] = (prepared.panel["corrections_applied"]
                                  if "corrections_applied" in prepared.panel.columns else None)
    normalised = prepared.normalised(scheme)
    for pillar in PILLARS:
        allowed = prepared.allowed(scheme, "current", pillar)
        observed = ~np.isnan(normalised[pillar]) & allowed
        out[f"{pillar}_indicators_observed"] = observed.sum(axis=1)
        out[f"{pillar}_indicators_total"] = allowed.sum(axis=1)
    effective = effective_weights(prepared, scheme, out["composite"].to_numpy())
    out.attrs["weights"] = {
        "indicators": {p: dict(zip(prepared.pillar_names(p),
                                   scheme.indicator_weights[p].round(6).tolist(), strict=True))
                       for p in PILLARS},
        "pillars": dict(zip(PILLARS, scheme.pillar_weights.round(6).tolist(), strict=True)),
        "effort": scheme.effort,
    }
    attrs = {"weights": out.attrs["weights"], "effective_weights": effective,
             "dropped": prepared.dropped,
             "inputs": index_inputs(prepared, data, names)}
    # Every input row gets a row; those before the index years are not scored.
    full = panel[["ccode", "year"]].sort_values(["ccode", "year"]).reset_index(drop=True)
    out = full.merge(out, on=["ccode", "year"], how="left")
    out["scored"] = out["scored"].fillna(False).astype(bool)
    for name in ("institutional_indicators_observed", "institutional_indicators_total",
                 "operational_indicators_observed", "operational_indicators_total"):
        out[name] = out[name].fillna(0).astype(int)
    out.attrs = attrs
    return out
