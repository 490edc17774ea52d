"""Strategic-partnership profile of a pair of states, year by year (Tolipov's four criteria).

comprehensiveness  mean intensity over a fixed set of layers (alliance, joint military
                   organisation, participant-weighted exercises, arms either way on a log scale)
longevity          consecutive years of military ties up to this year, and the age of the tie
reciprocity        balances of ATOP obligations, of exercises each side hosted and of arms each
                   way (weighted by the two-wayness of the flow) over a window
coherence          UN General Assembly voting: ideal-point similarity, identical votes on all
                   roll calls and on disarmament/nuclear roll calls

The criteria combine by `aggregation`: "gated" (default) multiplies the extent of
cooperation (comprehensiveness, longevity) by a quality factor from reciprocity and coherence,
so quality never stands in for practice; "arithmetic" is the compensatory mean.
core_partnership_score needs every layer of the fixed set observed; partnership_score (the
current score) uses the layers covered each year (layers_used), treaty layers carried past their
source's end and flagged (imputed_parts). Plus the dyad gap (institutional minus operational).
Functions take arrays/frames so the tests can check each formula on a hand-made example.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.indices.composite import aggregate
from pipelines.indices.config import CRITERIA, Partnership
from pipelines.indices.normalise import minmax

LAYERS = ("alliance", "joint_military_org", "joint_exercise", "joint_security_igo", "joint_igo",
          "arms")
S_SCORE_MAX_LEVEL = 3


def alliance_level(defense, offense, neutral, nonagg, consul) -> np.ndarray:
    """Valued alliance tie: 3 defence, 2 offence or neutrality, 1 non-aggression or
    consultation, 0 none; NaN outside ATOP coverage. The strongest obligation counts."""
    flags = [np.asarray(v, dtype=float) for v in (defense, offense, neutral, nonagg, consul)]
    level = np.where(flags[0] == 1, 3.0, np.where(
        (flags[1] == 1) | (flags[2] == 1), 2.0,
        np.where((flags[3] == 1) | (flags[4] == 1), 1.0, 0.0)))
    return np.where(np.isnan(flags).any(axis=0), np.nan, level)


def comprehensiveness(layers: np.ndarray, min_covered: int = 1) -> np.ndarray:
    """Active layers / covered layers; layers is (rows, k) of 1, 0 or NaN (not covered).

    NaN when fewer than min_covered layers are covered: one covered layer cannot show
    breadth (after 2014 only ATOP reports, and every allied pair would score 1).
    """
    layers = np.asarray(layers, dtype=float)
    covered = (~np.isnan(layers)).sum(axis=1)
    active = np.nansum(layers, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((covered >= max(min_covered, 1)), active / covered, np.nan)


def reciprocity(given_1to2, given_2to1) -> np.ndarray:
    """1 - |a - b| / (a + b) on the obligation types each side gives the other.

    1 = balanced, 0 = one side gives everything. NaN when neither side gives any (no
    directed alliance data for the pair): mutual interest is then not measured, not 0.
    """
    a = np.nan_to_num(np.asarray(given_1to2, dtype=float))
    b = np.nan_to_num(np.asarray(given_2to1, dtype=float))
    total = a + b
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 1.0 - np.abs(a - b) / total, np.nan)


def igo_jaccard(joint, full1, full2) -> np.ndarray:
    """|A intersect B| / |A union B| of two full-IGO portfolios, from the counts:
    union = full1 + full2 - joint. NaN when neither state is a member of any IGO."""
    joint, full1, full2 = (np.asarray(v, dtype=float) for v in (joint, full1, full2))
    union = full1 + full2 - joint
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, joint / union, np.nan)


def s_score_matrix(levels: np.ndarray, max_level: int = S_SCORE_MAX_LEVEL) -> np.ndarray:
    """Signorino-Ritter S for every pair of rows of a valued alliance-portfolio matrix.

    levels is (n, n): levels[i, k] = tie of state i with state k (0..max_level), the
    diagonal = max_level (a state is allied with itself at the highest level).
    S_ij = 1 - 2 * sum_k |levels[i, k] - levels[j, k]| / (n * max_level), in [-1, 1].
    The L1 distance is computed as the sum over thresholds t = 1..max_level of the Hamming
    distances between the 0/1 matrices [levels >= t], so it is a few matrix products.
    """
    levels = np.asarray(levels)
    n = levels.shape[0]
    distance = np.zeros((n, n))
    for threshold in range(1, max_level + 1):
        # float32 is exact here (0/1 products summed over < 2**24 states) and twice as fast.
        above = (levels >= threshold).astype(np.float32)
        counts = above.sum(axis=1, dtype=np.float64)
        distance += counts[:, None] + counts[None, :] - 2.0 * (above @ above.T).astype(float)
    return 1.0 - 2.0 * distance / (n * max_level)


def s_scores(members: pd.DataFrame, ties: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """S-score of each requested pair-year.

    members: (ccode, year) system members whose portfolios are compared; ties: (ccode1,
    ccode2, year, level) undirected ties with level > 0; pairs: (ccode1, ccode2, year).
    Returns NaN for a pair-year with a state that is not among that year's members.
    """
    out = np.full(len(pairs), np.nan)
    ties_by_year = dict(tuple(ties.groupby("year")))
    pair_rows = pairs.reset_index(drop=True)
    for year, states in members.groupby("year"):
        requested = np.flatnonzero(pair_rows["year"].to_numpy() == year)
        if not len(requested):
            continue
        ccodes = np.sort(states["ccode"].to_numpy())
        n = len(ccodes)
        levels = np.zeros((n, n), dtype=np.int8)
        np.fill_diagonal(levels, S_SCORE_MAX_LEVEL)
        year_ties = ties_by_year.get(year)
        if year_ties is not None:
            i = np.searchsorted(ccodes, year_ties["ccode1"].to_numpy())
            j = np.searchsorted(ccodes, year_ties["ccode2"].to_numpy())
            inside = (i < n) & (j < n)
            inside[inside] &= (ccodes[i[inside]] == year_ties["ccode1"].to_numpy()[inside]) & (
                ccodes[j[inside]] == year_ties["ccode2"].to_numpy()[inside])
            level = year_ties["level"].to_numpy()[inside].astype(np.int8)
            levels[i[inside], j[inside]] = level
            levels[j[inside], i[inside]] = level
        scores = s_score_matrix(levels)
        c1 = pair_rows["ccode1"].to_numpy()[requested]
        c2 = pair_rows["ccode2"].to_numpy()[requested]
        a = np.clip(np.searchsorted(ccodes, c1), 0, n - 1)
        b = np.clip(np.searchsorted(ccodes, c2), 0, n - 1)
        known = (ccodes[a] == c1) & (ccodes[b] == c2)
        out[requested[known]] = scores[a[known], b[known]]
    return out


def window_sums(frame: pd.DataFrame, columns: list[str], window: int) -> pd.DataFrame:
    """Sum of each column over the pair's rows with year in [year - window + 1, year].

    frame: ccode1, ccode2, year and the columns (NaN counts as 0). Rows need not be
    consecutive years: a cumulative sum per pair, minus the cumulative sum at the last row
    before the window (found by binary search within the pair).
    """
    data = frame[["ccode1", "ccode2", "year", *columns]].copy()
    order = np.lexsort((data["year"].to_numpy(), data["ccode2"].to_numpy(),
                        data["ccode1"].to_numpy()))
    data = data.iloc[order]
    pair = (data["ccode1"].astype(np.int64) * 100_000 + data["ccode2"].astype(np.int64)
            ).to_numpy()
    year = data["year"].to_numpy(dtype=np.int64)
    # a key that sorts by pair then year, so one searchsorted finds each window's start
    key = pair * 10_000 + year
    start_key = pair * 10_000 + (year - window)
    before = np.searchsorted(key, start_key, side="right") - 1   # last row at year - window
    first_of_pair = np.r_[True, pair[1:] != pair[:-1]]
    pair_start = np.maximum.accumulate(np.where(first_of_pair, np.arange(len(pair)), 0))
    same_pair = (before >= pair_start)
    out = pd.DataFrame(index=data.index)
    for column in columns:
        cumulative = np.cumsum(np.nan_to_num(data[column].to_numpy(dtype=float)))
        # the running total just before the pair's first row
        base = np.where(pair_start > 0, cumulative[np.maximum(pair_start - 1, 0)], 0.0)
        previous = np.where(same_pair, cumulative[np.maximum(before, 0)], base)
        out[column] = cumulative - previous
    return out.reindex(frame.index)


def tie_runs(frame: pd.DataFrame) -> pd.DataFrame:
    """Longevity of each pair's tie from (ccode1, ccode2, year, active).

    longevity_years: consecutive years up to and including this one in which the pair is
    active (0 when inactive this year); a missing year (one state out of the system) breaks
    the run. first_tie_year: the first active year so far (NaN before it); tie_age_years:
    year - first_tie_year + 1.
    """
    data = frame[["ccode1", "ccode2", "year", "active"]].copy()
    data["active"] = data["active"].astype(bool)
    data = data.sort_values(["ccode1", "ccode2", "year"])
    same_pair = (data["ccode1"].eq(data["ccode1"].shift())
                 & data["ccode2"].eq(data["ccode2"].shift()))
    continues = (same_pair & data["active"].shift(fill_value=False)
                 & data["year"].sub(data["year"].shift()).eq(1))
    starts = data["active"] & ~continues
    run_id = starts.cumsum()
    run_start = data["year"].where(starts).groupby(run_id).transform("first")
    data["longevity_years"] = np.where(data["active"], data["year"] - run_start + 1, 0)
    pair_id = (~same_pair).cumsum()
    first_ever = data["year"].where(data["active"]).groupby(pair_id).transform("min")
    first_active = first_ever.where(data["year"] >= first_ever)
    data["first_tie_year"] = first_active
    data["tie_age_years"] = data["year"] - first_active + 1
    return data.reindex(frame.index)[["longevity_years", "first_tie_year", "tie_age_years"]]


def comprehensiveness_intensity(intensities: np.ndarray) -> np.ndarray:
    """Core comprehensiveness: mean layer intensity (each 0-1) over a fixed set of layers; NaN
    unless every layer of the set is covered that year (a missing layer never re-bases it)."""
    intensities = np.asarray(intensities, dtype=float)
    return np.where(np.isnan(intensities).any(axis=1), np.nan,
                    np.nan_to_num(intensities).mean(axis=1))


def comprehensiveness_current(intensities: np.ndarray, min_layers: int) -> np.ndarray:
    """Current comprehensiveness: mean intensity over the layers covered that year (observed or
    carried forward), NaN when fewer than min_layers are covered. The set used is recorded per
    row (layers_used), so a change of set is explicit, never silent."""
    intensities = np.asarray(intensities, dtype=float)
    covered = (~np.isnan(intensities)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(intensities, axis=1) / covered
    return np.where(covered >= max(min_layers, 1), mean, np.nan)


def names_present(matrix: np.ndarray, names: list[str]) -> np.ndarray:
    """Comma list of the names whose column is observed (not NaN) in each row; None if none."""
    matrix = np.asarray(matrix, dtype=float)
    out = np.full(matrix.shape[0], "", dtype=object)
    for position, name in enumerate(names):
        seen = ~np.isnan(matrix[:, position])
        out = np.where(seen, np.where(out == "", name, out + "," + name), out)
    return np.where(out == "", None, out)


def pair_keys(frame: pd.DataFrame) -> np.ndarray:
    return (frame["ccode1"].astype(np.int64) * 100_000
            + frame["ccode2"].astype(np.int64)).to_numpy()


def carry_forward(frame: pd.DataFrame, values, max_years: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """A slow commitment's value carried past the end of its source (KOF-style), per pair.

    The source's last year is the last year with any observed value in the frame; a row in
    (last, last + max_years] takes the pair's value of that last year (NaN when the pair has
    no row then). Rows inside the source's years are never filled. Returns the values and a
    boolean mask of the imputed ones.
    """
    values = np.asarray(values, dtype=float).copy()
    observed = ~np.isnan(values)
    imputed = np.zeros(len(values), dtype=bool)
    if max_years <= 0 or not observed.any():
        return values, imputed
    year = frame["year"].to_numpy()
    last = year[observed].max()
    pair = pair_keys(frame)
    at_last = pd.Series(values[(year == last) & observed],
                        index=pair[(year == last) & observed])
    target = (year > last) & (year <= last + max_years)
    fill = pd.Series(pair[target]).map(at_last).to_numpy(dtype=float)
    values[target] = fill
    imputed[target] = ~np.isnan(fill)
    return values, imputed


def arms_intensity(mean_tiv, tiv_full: float) -> np.ndarray:
    """Arms layer on 0-1: log1p(mean TIV a year, either direction) / log1p(tiv_full), capped
    at 1; 0 for no transfer, NaN outside the source's years. Log, because pair TIV spans four
    orders of magnitude (docs/methodology.md section 4)."""
    mean_tiv = np.asarray(mean_tiv, dtype=float)
    return np.minimum(np.log1p(mean_tiv) / np.log1p(tiv_full), 1.0)


def ideal_point_similarity(distance, full: float) -> np.ndarray:
    """1 - min(d / full, 1) of the UN ideal-point distance: 1 identical positions, 0 at or
    beyond `full` (about the 99th percentile of pair distances); NaN when unobserved."""
    distance = np.asarray(distance, dtype=float)
    return 1.0 - np.minimum(distance / full, 1.0)


def pooled_agreement(agreements, votes) -> np.ndarray:
    """Vote-weighted agreement over several issue areas: sum(a_k * n_k) / sum(n_k) over the
    areas with a shared vote; NaN when the pair shared no vote in any of them."""
    agreements = np.column_stack([np.asarray(a, dtype=float) for a in agreements])
    votes = np.column_stack([np.asarray(n, dtype=float) for n in votes])
    usable = ~np.isnan(agreements) & (np.nan_to_num(votes) > 0)
    total = np.where(usable, votes, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.where(usable, agreements * votes, 0.0).sum(axis=1) / total,
                        np.nan)


def coherence(*parts) -> np.ndarray:
    """Equal-weight mean of the coherence parts observed (each 0-1); NaN when none is."""
    matrix = np.column_stack([np.asarray(p, dtype=float) for p in parts])
    return aggregate(matrix, np.ones(matrix.shape[1]), "arithmetic", 1.0 / matrix.shape[1])


def arms_exchange(sent_1to2, sent_2to1) -> tuple[np.ndarray, np.ndarray]:
    """Arms balance and its weight in reciprocity, from the arms each side delivered to the
    other over the reciprocity window.

    balance = 1 - |a - b| / (a + b); weight = min(a, b) / max(a, b), the two-wayness of the
    exchange. Arms transfers are supply relations: a one-way flow (the recipient pays, hosts,
    aligns) is the normal form of military-technical cooperation and no evidence of low
    reciprocity, so it gets weight 0 and reciprocity rests on the other parts; a balanced
    two-way exchange counts as a full part. The weight moves continuously, so a small
    counter-delivery cannot flip a pair from "not counted" to "fully one-sided". Both NaN when
    nothing moved between the two (or outside the source's years).
    """
    a = np.asarray(sent_1to2, dtype=float)
    b = np.asarray(sent_2to1, dtype=float)
    balance = reciprocity(a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(np.isnan(balance), np.nan, np.minimum(a, b) / np.maximum(a, b))
    return balance, weight


def weighted_parts(parts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted mean of the observed parts with per-row weights; NaN when the
    observed parts carry no weight."""
    parts = np.asarray(parts, dtype=float)
    weights = np.where(np.isnan(parts), 0.0, np.nan_to_num(np.asarray(weights, dtype=float)))
    total = weights.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (np.nan_to_num(parts) * weights).sum(axis=1) / total, np.nan)


def partnership_score(criteria: np.ndarray, weights: np.ndarray, min_criteria: int
                      ) -> np.ndarray:
    """Weighted mean of the criteria (each 0-1) over those observed, needing min_criteria
    (aggregation = "arithmetic": fully compensatory)."""
    criteria = np.asarray(criteria, dtype=float)
    return aggregate(criteria, weights, "arithmetic", min_criteria / criteria.shape[1])


# Criteria of the extent of a partnership (how much and how long the pair cooperates) and of
# its quality (what kind of relation that cooperation is), in CRITERIA order.
EXTENT = ("comprehensiveness", "longevity")
QUALITY = ("reciprocity", "coherence")


def gated_partnership_score(criteria: np.ndarray, weights: np.ndarray, min_criteria: int
                            ) -> np.ndarray:
    """Quality scales extent (aggregation = "gated", docs/methodology.md section 4).

    criteria is (rows, 4) in CRITERIA order, weights (4,). Over the criteria observed in a row:
    extent E = weighted mean of comprehensiveness and longevity, quality Q = weighted mean of
    reciprocity and coherence, m = the quality criteria's share of the observed weight, and

        score = E * (1 - m + m * Q) = (W_e * E + W_q * Q * E) / (W_e + W_q)

    i.e. the arithmetic mean with each quality criterion multiplied by the extent: reciprocity
    and coherence describe a partnership that exists and count in proportion to it. E = 0 (no
    tie of any layer, no run of military ties) gives 0 whatever the quality; E = 1 gives the
    arithmetic mean. With no quality criterion observed the score is E. NaN unless
    min_criteria of the positively weighted criteria are observed and E is.
    """
    criteria = np.asarray(criteria, dtype=float)
    weights = np.asarray(weights, dtype=float)
    observed = ~np.isnan(criteria)
    used = np.where(observed, weights, 0.0)
    filled = np.nan_to_num(criteria)
    extent_cols = [CRITERIA.index(name) for name in EXTENT]
    quality_cols = [CRITERIA.index(name) for name in QUALITY]
    w_extent = used[:, extent_cols].sum(axis=1)
    w_quality = used[:, quality_cols].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        extent = (filled[:, extent_cols] * used[:, extent_cols]).sum(axis=1) / w_extent
        quality = np.where(w_quality > 0, (filled[:, quality_cols] * used[:, quality_cols]
                                           ).sum(axis=1) / w_quality, 0.0)
        share = w_quality / (w_extent + w_quality)
    score = extent * (1.0 - share + share * quality)
    enough = observed[:, weights > 0].sum(axis=1) >= min_criteria
    return np.where(enough & (w_extent > 0), score, np.nan)


def dyad_symbolic_gap(level, joint_security_igo, joint_exercises
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Institutional and operational tie intensity of each pair on 0-100, and the gap
    (published as dyad_gap; the dyad-level symbolic measure is symbolic_share).

    institutional = mean of alliance level / 3 * 100 and min-max(log1p(joint military
    organisations)); operational = min-max(log1p(participant-weighted joint exercises));
    both over the given rows; gap = institutional - operational (NaN unless both observed).
    """
    level = np.asarray(level, dtype=float)
    security = minmax(np.log1p(np.asarray(joint_security_igo, dtype=float)))
    institutional = aggregate(np.column_stack([100.0 * level / S_SCORE_MAX_LEVEL, security]),
                              np.ones(2), "arithmetic", 1.0)
    operational = minmax(np.log1p(np.asarray(joint_exercises, dtype=float)))
    return institutional, operational, institutional - operational


def _window_covered(year: np.ndarray, observed: np.ndarray, first_year: float, window: int
                    ) -> np.ndarray:
    """True where the row is inside the source's years and the whole trailing window is too."""
    return observed & (year - window + 1 >= first_year)


def partnership_profile(dyads: pd.DataFrame, s_score: np.ndarray,
                        settings: Partnership) -> pd.DataFrame:
    """All partnership columns for dyad rows holding: ccode1, ccode2, year, the five atop_*
    flags, joint_igo_full, joint_security_igo_full, joint_exercises, igo_full1, igo_full2,
    given_1to2, given_2to1 (obligation types each side gives, NaN if no directed row),
    joint_military_orgs, exercise_intensity and, where the build has them, hosted_by_1/2,
    arms_tiv_1_to_2/2_to_1 (SIPRI TIV a year), unga_ideal_point_distance, unga_agreement,
    unga_agreement_s, unga_agreement_di/nu and unga_votes_both_di/nu.

    Two scores: core_partnership_score (comprehensiveness over the fixed layers, every one
    observed: 1980-2010 on the shipped data) and partnership_score, the current score
    (comprehensiveness over the layers covered that year, slow commitments carried forward
    and flagged; the sets used are recorded per row)."""
    d = dyads.reset_index(drop=True)
    col = {name: d[name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
           for name in d.columns if name not in ("ccode1", "ccode2", "year")}
    missing = np.full(len(d), np.nan)
    year = d["year"].to_numpy(dtype=float)
    level = alliance_level(col["atop_defense"], col["atop_offense"], col["atop_neutral"],
                           col["atop_nonagg"], col["atop_consul"])

    def active(values: np.ndarray, minimum: float = 1.0) -> np.ndarray:
        return np.where(np.isnan(values), np.nan, (values >= minimum).astype(float))

    # Arms (military-technical cooperation): TIV either way, mean a year over the trailing
    # arms_window years, NaN unless the source covers the whole window.
    tiv_12 = col.get("arms_tiv_1_to_2", missing)
    tiv_21 = col.get("arms_tiv_2_to_1", missing)
    arms_observed = ~np.isnan(tiv_12) & ~np.isnan(tiv_21)
    arms_first = year[arms_observed].min() if arms_observed.any() else np.inf
    total = np.where(arms_observed, np.nan_to_num(tiv_12) + np.nan_to_num(tiv_21), np.nan)
    arms_sum = window_sums(d.assign(t=total), ["t"], settings.arms_window)["t"].to_numpy()
    arms_mean = np.where(_window_covered(year, arms_observed, arms_first, settings.arms_window),
                         arms_sum / settings.arms_window, np.nan)

    layers = {
        "alliance": active(level),
        "joint_military_org": active(col["joint_military_orgs"]),
        "joint_exercise": np.where(np.isnan(col["exercise_intensity"]), np.nan,
                                   (col["exercise_intensity"] > 0).astype(float)),
        "joint_security_igo": active(col["joint_security_igo_full"]),
        "joint_igo": active(col["joint_igo_full"], settings.joint_igo_min),
        "arms": np.where(np.isnan(arms_mean), np.nan, (arms_mean > 0).astype(float)),
    }
    # Intensity of each layer on 0-1: the alliance's strongest obligation (level / 3), any
    # joint military organisation, participant-weighted joint exercises (sum of 1 / (n - 1)
    # per exercise) against exercise_full a year, and arms on a log scale against tiv_full.
    intensity = {
        "alliance": level / S_SCORE_MAX_LEVEL,
        "joint_military_org": layers["joint_military_org"],
        "joint_exercise": np.minimum(col["exercise_intensity"] / settings.exercise_full, 1.0),
        "joint_security_igo": layers["joint_security_igo"],
        "joint_igo": layers["joint_igo"],
        "arms": arms_intensity(arms_mean, settings.tiv_full),
    }
    # Current score: slow commitments (treaties, memberships) carried forward past their
    # source's end for at most carry_forward_years, each carried value flagged; practice
    # (exercises, arms) is never carried.
    current = dict(intensity)
    carried = {}
    for name in ("alliance", "joint_military_org", "joint_security_igo", "joint_igo"):
        current[name], carried[name] = carry_forward(d, intensity[name],
                                                     settings.carry_forward_years)
    level_current, _ = carry_forward(d, level, settings.carry_forward_years)
    military_current, _ = carry_forward(d, col["joint_military_orgs"],
                                        settings.carry_forward_years)

    out = d[["ccode1", "ccode2", "year"]].copy()
    out["alliance_level"] = level
    out["joint_military_orgs"] = col["joint_military_orgs"]
    out["exercise_intensity"] = col["exercise_intensity"]
    out["arms_tiv_window_mean"] = arms_mean
    out["arms_intensity"] = intensity["arms"]
    for name in LAYERS:
        out[f"layer_{name}"] = layers[name]
    chosen = list(settings.layers)
    current_matrix = np.column_stack([current[name] for name in chosen])
    out["layers_active"] = np.nansum(current_matrix > 0, axis=1)
    out["layers_covered"] = (~np.isnan(current_matrix)).sum(axis=1)
    out["layers_used"] = names_present(current_matrix, chosen)
    out["core_comprehensiveness"] = comprehensiveness_intensity(
        np.column_stack([intensity[name] for name in chosen]))
    out["comprehensiveness"] = comprehensiveness_current(current_matrix,
                                                         settings.current_min_layers)

    # A military tie (for longevity): a strong alliance obligation (defence, offence or
    # neutrality), a joint military organisation, a joint exercise or arms delivered either
    # way in the arms window. Dialogue forums and non-aggression pacts alone are not (every
    # OSCE pair would otherwise be a partnership).
    military = np.column_stack([level_current >= 2, military_current > 0,
                                col["exercise_intensity"] > 0, arms_mean > 0])
    runs = tie_runs(out.assign(active=military.any(axis=1)))
    out = pd.concat([out, runs], axis=1)
    out["longevity"] = np.minimum(out["longevity_years"] / settings.longevity_full_years, 1.0)

    out["obligations_given_1to2"] = col["given_1to2"]
    out["obligations_given_2to1"] = col["given_2to1"]
    # Exercise hosting in turn (delayed reciprocity): joint exercises each side hosted over
    # the last reciprocity_window years (hosts from MME coordinates, pipelines/indices/hosts.py).
    if "hosted_by_1" in col:
        hosted = window_sums(d.assign(hosted_by_1=col["hosted_by_1"],
                                      hosted_by_2=col["hosted_by_2"]),
                             ["hosted_by_1", "hosted_by_2"], settings.reciprocity_window)
        covered = ~np.isnan(col["exercise_intensity"])
        out["hosted_by_1"] = np.where(covered, hosted["hosted_by_1"].to_numpy(), np.nan)
        out["hosted_by_2"] = np.where(covered, hosted["hosted_by_2"].to_numpy(), np.nan)
    else:
        out["hosted_by_1"] = np.nan
        out["hosted_by_2"] = np.nan
    # Treaty obligations are slow: carried past ATOP's end like the alliance layer (flagged).
    given_12, carried_obligations = carry_forward(d, col["given_1to2"],
                                                  settings.carry_forward_years)
    given_21, _ = carry_forward(d, col["given_2to1"], settings.carry_forward_years)
    out["obligation_balance"] = reciprocity(given_12, given_21)
    out["hosting_balance"] = reciprocity(out["hosted_by_1"], out["hosted_by_2"])
    # Arms each way over the reciprocity window, weighted by the two-wayness of the flow.
    sent = window_sums(d.assign(a=np.where(arms_observed, tiv_12, np.nan),
                                b=np.where(arms_observed, tiv_21, np.nan)),
                       ["a", "b"], settings.reciprocity_window)
    out["arms_sent_1to2"] = np.where(arms_observed, sent["a"].to_numpy(), np.nan)
    out["arms_sent_2to1"] = np.where(arms_observed, sent["b"].to_numpy(), np.nan)
    out["arms_balance"], out["arms_weight"] = arms_exchange(out["arms_sent_1to2"],
                                                           out["arms_sent_2to1"])
    parts = np.column_stack([out["obligation_balance"], out["hosting_balance"],
                             out["arms_balance"]])
    part_weights = np.column_stack([np.ones(len(d)), np.ones(len(d)),
                                    out["arms_weight"].to_numpy(dtype=float)])
    out["reciprocity"] = weighted_parts(parts, part_weights)
    out["reciprocity_parts"] = names_present(
        np.where(part_weights > 0, parts, np.nan), ["obligations", "hosting", "arms"])
    # Everything carried forward in this row's current score: layers of the set, and the
    # obligation balance of reciprocity.
    imputed = np.column_stack(
        [np.where(carried.get(name, np.zeros(len(d), dtype=bool)), 1.0, np.nan)
         for name in chosen]
        + [np.where(carried_obligations & ~np.isnan(out["obligation_balance"].to_numpy()),
                    1.0, np.nan)])
    out["imputed_parts"] = names_present(imputed, [*chosen, "obligations"])
    out["igo_jaccard"] = igo_jaccard(col["joint_igo_full"], col["igo_full1"], col["igo_full2"])
    out["alliance_s_score"] = s_score
    # Coherence of approaches from UN General Assembly voting: ideal-point similarity, the
    # identical-vote share on all roll calls, and on arms-control/disarmament (di) and nuclear
    # (nu) roll calls pooled by votes. Not IGO-portfolio overlap (reported as igo_jaccard).
    out["unga_ideal_point_distance"] = col.get("unga_ideal_point_distance", missing)
    out["ideal_point_similarity"] = ideal_point_similarity(out["unga_ideal_point_distance"],
                                                           settings.ideal_point_full)
    out["unga_agreement"] = col.get("unga_agreement", missing)
    out["unga_agreement_s"] = col.get("unga_agreement_s", missing)
    votes_di = col.get("unga_votes_both_di", missing)
    votes_nu = col.get("unga_votes_both_nu", missing)
    out["unga_security_votes"] = np.where(np.isnan(votes_di) & np.isnan(votes_nu), np.nan,
                                          np.nan_to_num(votes_di) + np.nan_to_num(votes_nu))
    out["unga_security_agreement"] = pooled_agreement(
        [col.get("unga_agreement_di", missing), col.get("unga_agreement_nu", missing)],
        [votes_di, votes_nu])
    coherence_parts = np.column_stack([out["ideal_point_similarity"], out["unga_agreement"],
                                       out["unga_security_agreement"]])
    out["coherence"] = coherence(*coherence_parts.T)
    out["coherence_parts"] = names_present(coherence_parts,
                                           ["ideal_point", "all_votes", "security_votes"])

    weights = np.array([settings.criteria_weights[c] for c in CRITERIA])

    def score_from(comprehensive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        frame = out.assign(comprehensiveness=comprehensive)
        criteria = frame[list(CRITERIA)].to_numpy(dtype=float)
        observed = (~np.isnan(criteria[:, weights > 0])).sum(axis=1)
        if settings.aggregation == "gated":
            score = gated_partnership_score(criteria, weights, settings.min_criteria)
        else:
            score = partnership_score(criteria[:, weights > 0], weights[weights > 0],
                                      settings.min_criteria)
        # A required criterion (comprehensiveness) missing -> no score.
        for name in settings.required_criteria:
            score = np.where(np.isnan(frame[name].to_numpy(dtype=float)), np.nan, score)
        # A criterion observed for no pair in a year (its sources have not started or have
        # ended: UN voting starts in 1946 and ends in 2024) leaves that year unscored:
        # re-weighting over the rest would re-base every score. A criterion missing for one
        # pair inside its sources' years (nothing to balance, no vote), or a criterion whose
        # source is not in the build at all, is re-weighted (min_criteria still applies).
        for position, name in enumerate(CRITERIA):
            if weights[position] <= 0:
                continue
            seen = pd.Series(~np.isnan(frame[name].to_numpy(dtype=float)))
            if not seen.any():      # its source is not in the build at all
                continue
            year_seen = seen.groupby(year).transform("any").to_numpy(dtype=bool)
            score = np.where(year_seen, score, np.nan)
        return score, observed

    out["partnership_score"], out["criteria_observed"] = score_from(
        out["comprehensiveness"].to_numpy())
    out["core_partnership_score"], _ = score_from(out["core_comprehensiveness"].to_numpy())
    institutional, operational, gap = dyad_symbolic_gap(
        level, col["joint_military_orgs"], col["exercise_intensity"])
    out["dyad_institutional"] = institutional
    out["dyad_operational"] = operational
    out["dyad_gap"] = gap
    return out
