"""Partnership criteria of a pair of states, each checked against a hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.indices.config import IndexDefinitionError, parse_definition
from pipelines.indices.partnership import (
    alliance_level,
    arms_exchange,
    arms_intensity,
    carry_forward,
    coherence,
    comprehensiveness,
    comprehensiveness_current,
    comprehensiveness_intensity,
    dyad_symbolic_gap,
    ideal_point_similarity,
    igo_jaccard,
    names_present,
    partnership_profile,
    partnership_score,
    pooled_agreement,
    reciprocity,
    s_score_matrix,
    s_scores,
    tie_runs,
    weighted_parts,
    window_sums,
)

NAN = np.nan


def test_alliance_level_takes_the_strongest_obligation():
    #            defence, offence, neutral, nonagg, consul
    rows = [(1, 0, 0, 1, 1), (0, 1, 0, 0, 0), (0, 0, 1, 1, 0), (0, 0, 0, 0, 1),
            (0, 0, 0, 0, 0), (NAN, NAN, NAN, NAN, NAN)]
    level = alliance_level(*np.array(rows, dtype=float).T)
    assert level[:5].tolist() == [3, 2, 2, 1, 0]
    assert np.isnan(level[5])


def test_comprehensiveness_is_active_over_covered_layers():
    layers = np.array([[1, 0, NAN, 1], [1, NAN, NAN, NAN], [0, 0, 0, 0]], dtype=float)
    result = comprehensiveness(layers, min_covered=3)
    assert result[0] == pytest.approx(2 / 3)
    assert np.isnan(result[1])  # one covered layer cannot show breadth
    assert result[2] == 0.0
    assert comprehensiveness(layers, min_covered=1)[1] == 1.0


def test_reciprocity_balance_of_directed_obligations():
    result = reciprocity([3, 2, 0, NAN, 0], [1, 2, 3, NAN, 0])
    # 1 - |3-1|/4 = 0.5; balanced = 1; one-sided = 0; no directed data = NaN (not 0)
    assert result[:3].tolist() == [0.5, 1.0, 0.0]
    assert np.isnan(result[3]) and np.isnan(result[4])


def test_igo_jaccard_from_counts():
    # |A and B| = 2, |A| = 4, |B| = 5: union 7
    result = igo_jaccard([2, 0, 0], [4, 3, 0], [5, 0, 0])
    assert result[0] == pytest.approx(2 / 7)
    assert result[1] == 0.0
    assert np.isnan(result[2])


def test_s_score_by_hand_for_three_states():
    # A-B defence (3), B-C non-aggression (1), A-C none; diagonal 3.
    levels = np.array([[3, 3, 0], [3, 3, 1], [0, 1, 3]])
    s = s_score_matrix(levels)
    # n * dmax = 9. d(A,B) = 1, d(A,C) = 3 + 2 + 3 = 8, d(B,C) = 3 + 2 + 2 = 7
    assert s[0, 1] == pytest.approx(1 - 2 * 1 / 9)
    assert s[0, 2] == pytest.approx(1 - 2 * 8 / 9)
    assert s[1, 2] == pytest.approx(1 - 2 * 7 / 9)
    assert np.allclose(np.diag(s), 1.0) and np.allclose(s, s.T)


def test_s_scores_for_pair_years_use_that_years_members():
    members = pd.DataFrame({"ccode": [10, 20, 30, 10, 20], "year": [2000] * 3 + [2001] * 2})
    ties = pd.DataFrame({"ccode1": [10, 20, 10], "ccode2": [20, 30, 20],
                         "year": [2000, 2000, 2001], "level": [3, 1, 2]})
    pairs = pd.DataFrame({"ccode1": [10, 10, 10, 20], "ccode2": [20, 30, 20, 40],
                          "year": [2000, 2000, 2001, 2000]})
    result = s_scores(members, ties, pairs)
    assert result[0] == pytest.approx(7 / 9)
    assert result[1] == pytest.approx(-7 / 9)
    # 2001: two members, [[3, 2], [2, 3]]: d = 1 + 1 = 2, n * dmax = 6 -> 1 - 4/6
    assert result[2] == pytest.approx(1 / 3)
    assert np.isnan(result[3])  # 40 is not a member


def test_tie_runs_count_consecutive_active_years_and_the_age_of_the_tie():
    frame = pd.DataFrame({
        "ccode1": [1] * 7 + [1] * 3,
        "ccode2": [2] * 7 + [3] * 3,
        "year": list(range(2000, 2007)) + [2000, 2001, 2003],  # 2002 missing for (1, 3)
        "active": [1, 1, 0, 1, 1, 1, 0] + [0, 1, 1],
    }).sample(frac=1.0, random_state=1)  # order must not matter
    runs = tie_runs(frame).loc[sorted(frame.index)]
    assert runs["longevity_years"].tolist() == [1, 2, 0, 1, 2, 3, 0] + [0, 1, 1]
    assert runs["tie_age_years"].tolist()[:7] == [1, 2, 3, 4, 5, 6, 7]
    assert np.isnan(runs["tie_age_years"].iloc[7])
    assert runs["tie_age_years"].tolist()[8:] == [1, 3]
    assert runs["first_tie_year"].tolist()[8:] == [2001, 2001]


def test_coherence_and_partnership_score():
    # mean of the parts observed: (0.4 + 0.6 + 0.8) / 3 = 0.6; one part alone; none -> NaN
    result = coherence([0.4, NAN, NAN], [0.6, 0.3, NAN], [0.8, NAN, NAN])
    assert result[:2].tolist() == pytest.approx([0.6, 0.3])
    assert np.isnan(result[2])
    criteria = np.array([[1, 0.5, NAN, 0.5], [1, NAN, NAN, 0.5], [1, 1, 1, 1]])
    score = partnership_score(criteria, np.ones(4), min_criteria=3)
    assert score[0] == pytest.approx(2 / 3)
    assert np.isnan(score[1])
    assert score[2] == 1.0
    weighted = partnership_score(criteria[:1], np.array([2.0, 1, 1, 1]), min_criteria=3)
    assert weighted[0] == pytest.approx((2 * 1 + 0.5 + 0.5) / 4)


def test_dyad_symbolic_gap_on_a_common_scale():
    institutional, operational, gap = dyad_symbolic_gap([3, 0, 0], [1, 0, 3], [0, 3, 0])
    # security: log1p -> ln2, 0, ln4 -> min-max 50, 0, 100; alliance 100, 0, 0
    assert institutional.tolist() == pytest.approx([75, 0, 50])
    assert operational.tolist() == pytest.approx([0, 100, 0])
    assert gap.tolist() == pytest.approx([75, -100, 50])


def test_partnership_profile_combines_the_criteria():
    settings = parse_definition({
        "pillars": {"institutional": {}, "operational": {}},
        "indicators": [{"name": "a", "pillar": "institutional"},
                       {"name": "b", "pillar": "operational"}],
        "uncertainty": {"seed": 1},
        "partnership": {"longevity_full_years": 4, "exercise_full": 2.0,
                        "layers": ["alliance", "joint_military_org", "joint_exercise"],
                        "carry_forward_years": 0},
    }).partnership
    dyads = pd.DataFrame({
        "ccode1": [1, 1, 1], "ccode2": [2, 2, 2], "year": [2000, 2001, 2002],
        "atop_defense": [1, 1, 0], "atop_offense": [0, 0, 0], "atop_neutral": [0, 0, 0],
        "atop_nonagg": [0, 0, 1], "atop_consul": [1, 1, 0],
        "joint_igo_full": [2, 2, 2], "joint_security_igo_full": [0, 1, 1],
        "joint_exercises": [1, 0, 0],
        "igo_full1": [4, 4, 4], "igo_full2": [2, 3, 3],
        "given_1to2": [2, 2, 1], "given_2to1": [1, 2, 1],
        "joint_military_orgs": [0, 1, 0],
        # one bilateral exercise (1) and one of 5 states (1/4) in 2000; none later
        "exercise_intensity": [1.25, 0.0, NAN],
        "unga_ideal_point_distance": [0.3, 0.3, 0.3],
        "unga_agreement": [0.8, 0.8, 0.8],
        "unga_agreement_di": [1.0, 1.0, 1.0], "unga_votes_both_di": [3, 3, 3],
        "unga_agreement_nu": [0.0, 0.0, 0.0], "unga_votes_both_nu": [1, 1, 1],
    })
    out = partnership_profile(dyads, np.array([0.5, 0.5, 0.5]), settings)
    # 2001: fixed layers alliance (3/3 = 1), joint military org 1, exercises 0 -> 2/3;
    # longevity 2 of 4 years -> 0.5; reciprocity 1; coherence = mean of ideal-point
    # similarity 1 - 0.3 / 3 = 0.9, all votes 0.8, security votes (1 * 3 + 0 * 1) / 4 = 0.75
    # -> 0.8167; the S-score and the IGO Jaccard 2 / (4 + 3 - 2) = 0.4 are reported only.
    row = out.iloc[1]
    coherent = (0.9 + 0.8 + 0.75) / 3
    assert row["comprehensiveness"] == pytest.approx(2 / 3)
    assert row["core_comprehensiveness"] == pytest.approx(2 / 3)
    assert row["longevity_years"] == 2 and row["longevity"] == 0.5
    assert row["reciprocity"] == 1.0
    assert row["igo_jaccard"] == pytest.approx(0.4)
    assert row["unga_security_agreement"] == pytest.approx(0.75)
    assert row["coherence"] == pytest.approx(coherent)
    assert row["coherence_parts"] == "ideal_point,all_votes,security_votes"
    # gated (the default): extent (2/3 + 0.5) / 2 = 7/12, quality (1 + coherent) / 2, and the
    # quality criteria hold half the weight -> 7/12 * (1/2 + 1/2 * quality).
    assert row["partnership_score"] == pytest.approx(7 / 12 * (0.5 + (1 + coherent) / 4))
    assert row["core_partnership_score"] == row["partnership_score"]
    # 2000: alliance 1, military org 0, exercises 1.25 / 2 -> (1 + 0 + 0.625) / 3.
    first = out.iloc[0]
    assert first["comprehensiveness"] == pytest.approx(1.625 / 3)
    assert first["reciprocity"] == pytest.approx(2 / 3)
    assert first["layer_joint_exercise"] == 1.0
    # 2002: exercises not covered -> no core score (fixed layers); the current score uses the
    # two layers covered (alliance 1/3, military org 0) and records them.
    last = out.iloc[2]
    assert np.isnan(last["core_comprehensiveness"])
    assert np.isnan(last["core_partnership_score"])
    assert last["comprehensiveness"] == pytest.approx((1 / 3 + 0) / 2)
    assert last["layers_used"] == "alliance,joint_military_org"
    assert last["layers_covered"] == 2
    # a non-aggression pact alone is no military tie: the run of years breaks.
    assert last["longevity_years"] == 0
    # extent (1/6 + 0) / 2 = 1/12: the perfect reciprocity counts only in proportion to it
    # (the arithmetic mean would give (1/6 + 0 + 1 + coherent) / 4 = 0.70).
    assert last["partnership_score"] == pytest.approx(1 / 12 * (0.5 + (1 + coherent) / 4))


def test_window_sums_per_pair_by_hand():
    frame = pd.DataFrame({
        "ccode1": [1, 1, 1, 1, 2, 2], "ccode2": [5, 5, 5, 5, 5, 5],
        "year": [2000, 2001, 2003, 2010, 2000, 2002],
        "h": [1.0, 2.0, NAN, 4.0, 10.0, 20.0],
    }).sample(frac=1.0, random_state=3)   # order must not matter
    got = window_sums(frame, ["h"], window=3).loc[frame.index, "h"]
    expected = pd.Series({0: 1.0, 1: 3.0, 2: 2.0, 3: 4.0, 4: 10.0, 5: 30.0})
    # pair (1,5): 2000 -> 1; 2001 -> 1 + 2; 2003 -> years 2001-2003: 2 (NaN = 0);
    # 2010 -> 4 alone. Pair (2,5): 2000 -> 10; 2002 -> 10 + 20 (own pair only).
    assert got.sort_index().tolist() == expected.tolist()


def test_reciprocity_combines_obligations_and_hosting_in_turn():
    settings = parse_definition({
        "pillars": {"institutional": {}, "operational": {}},
        "indicators": [{"name": "a", "pillar": "institutional"},
                       {"name": "b", "pillar": "operational"}],
        "uncertainty": {"seed": 1},
        "partnership": {"reciprocity_window": 2, "carry_forward_years": 0},
    }).partnership
    base = {"atop_defense": [0, 0], "atop_offense": [0, 0], "atop_neutral": [0, 0],
            "atop_nonagg": [0, 0], "atop_consul": [0, 0], "joint_igo_full": [1, 1],
            "joint_security_igo_full": [0, 0], "joint_exercises": [1, 1],
            "igo_full1": [1, 1], "igo_full2": [1, 1], "joint_military_orgs": [0, 0],
            "exercise_intensity": [1.0, 1.0]}
    dyads = pd.DataFrame({"ccode1": [1, 1], "ccode2": [2, 2], "year": [2000, 2001],
                          "given_1to2": [NAN, 2], "given_2to1": [NAN, 1],
                          "hosted_by_1": [2, 0], "hosted_by_2": [0, 2], **base})
    out = partnership_profile(dyads, np.array([0.0, 0.0]), settings)
    # 2000: only hosting, 2 : 0 -> balance 0; no obligations -> reciprocity 0.
    assert out.iloc[0]["hosting_balance"] == 0.0 and out.iloc[0]["reciprocity"] == 0.0
    # 2001: window 2000-2001 hosted 2 : 2 -> 1; obligations 2 vs 1 -> 1 - 1/3; mean.
    assert out.iloc[1]["hosting_balance"] == 1.0
    assert out.iloc[1]["reciprocity"] == pytest.approx((1.0 + 2 / 3) / 2)


def _settings(**partnership):
    return parse_definition({
        "pillars": {"institutional": {}, "operational": {}},
        "indicators": [{"name": "a", "pillar": "institutional"},
                       {"name": "b", "pillar": "operational"}],
        "uncertainty": {"seed": 1},
        "partnership": partnership,
    }).partnership


def test_carry_forward_only_past_the_sources_end_and_flagged():
    frame = pd.DataFrame({"ccode1": [1, 1, 1, 1, 3, 3], "ccode2": [2, 2, 2, 2, 4, 4],
                          "year": [2017, 2018, 2019, 2021, 2017, 2019]})
    values = [NAN, 2.0, NAN, NAN, 1.0, NAN]     # source's last year: 2018
    filled, imputed = carry_forward(frame, values, max_years=2)
    # (1,2): 2017 stays NaN (inside the source's years, never filled); 2019 takes 2018's 2;
    # 2021 is 3 years past the end -> NaN. (3,4) has no 2018 row -> nothing to carry.
    assert np.isnan(filled[0]) and filled[1] == 2.0 and filled[2] == 2.0
    assert np.isnan(filled[3]) and filled[4] == 1.0 and np.isnan(filled[5])
    assert imputed.tolist() == [False, False, True, False, False, False]
    same, none = carry_forward(frame, values, max_years=0)
    assert np.isnan(same[2]) and not none.any()


def test_arms_intensity_is_log_scaled_and_capped():
    result = arms_intensity([0.0, 9.0, 99.0, 500.0, NAN], tiv_full=99.0)
    # log1p(9) / log1p(99) = ln 10 / ln 100 = 0.5
    assert result[:4].tolist() == pytest.approx([0.0, 0.5, 1.0, 1.0])
    assert np.isnan(result[4])


def test_current_and_core_comprehensiveness():
    layers = np.array([[1.0, 0.5, NAN], [1.0, NAN, NAN], [0.2, 0.4, 0.6]])
    current = comprehensiveness_current(layers, min_layers=2)
    assert current[0] == pytest.approx(0.75) and np.isnan(current[1])
    assert current[2] == pytest.approx(0.4)
    core = comprehensiveness_intensity(layers)
    assert np.isnan(core[0]) and np.isnan(core[1]) and core[2] == pytest.approx(0.4)
    assert names_present(layers, ["a", "b", "c"]).tolist() == ["a,b", "a", "a,b,c"]
    assert names_present(np.full((1, 2), NAN), ["a", "b"])[0] is None


def test_ideal_points_and_pooled_security_votes():
    assert ideal_point_similarity([0.0, 1.5, 4.0, NAN], 3.0)[:3].tolist() == [1.0, 0.5, 0.0]
    pooled = pooled_agreement([[0.5, NAN, 1.0, NAN], [1.0, 0.25, NAN, NAN]],
                              [[2, 0, 4, 0], [6, 4, 0, 0]])
    # (0.5 * 2 + 1 * 6) / 8; only nu; only di; no shared vote -> NaN (not 0)
    assert pooled[:3].tolist() == pytest.approx([7 / 8, 0.25, 1.0])
    assert np.isnan(pooled[3])


def test_arms_exchange_weights_the_balance_by_two_wayness():
    balance, weight = arms_exchange([30, 50, 0, 100], [10, 0, 0, 1])
    # 30 : 10 -> balance 1 - 20/40 = 0.5, weight 10/30; one-way 50 : 0 -> balance 0 with
    # weight 0 (drops out); nothing moved -> NaN, NaN; 100 : 1 -> balance 2/101, weight 0.01.
    assert balance[0] == pytest.approx(0.5) and weight[0] == pytest.approx(1 / 3)
    assert balance[1] == 0.0 and weight[1] == 0.0
    assert np.isnan(balance[2]) and np.isnan(weight[2])
    assert balance[3] == pytest.approx(2 / 101) and weight[3] == pytest.approx(0.01)
    parts = np.array([[1.0, NAN, 0.5], [1.0, NAN, 0.0], [NAN, NAN, 0.0], [NAN, NAN, NAN]])
    weights = np.array([[1, 1, 1 / 3], [1, 1, 0.0], [1, 1, 0.0], [1, 1, 1]])
    got = weighted_parts(parts, weights)
    # (1 + 0.5/3) / (4/3) = 0.875; a one-way supplier relation leaves obligations alone;
    # a zero-weight part alone or nothing observed -> NaN (never 0).
    assert got[0] == pytest.approx(0.875) and got[1] == 1.0
    assert np.isnan(got[2]) and np.isnan(got[3])


def _arms_dyads():
    """Pair (1, 2): ATOP defence to 2001 (its source's last year), arms 1 -> 2 every year and
    2 -> 1 once; pair (1, 3): arms only. Exercises covered 1999-2000, military orgs never."""
    years = [1998, 1999, 2000, 2001, 2002]
    base = {"atop_offense": 0, "atop_neutral": 0, "atop_nonagg": 0, "atop_consul": 0,
            "joint_igo_full": 0, "joint_security_igo_full": 0, "joint_exercises": 0,
            "igo_full1": 1, "igo_full2": 1, "joint_military_orgs": NAN}
    rows = []
    for year in years:
        inside = year <= 2001
        rows.append({"ccode1": 1, "ccode2": 2, "year": year,
                     "atop_defense": 1.0 if inside else NAN,
                     "given_1to2": 3.0 if inside else NAN, "given_2to1": 3.0 if inside else NAN,
                     "exercise_intensity": 0.0 if year in (1999, 2000) else NAN,
                     "arms_tiv_1_to_2": 9.0 if year >= 1999 else NAN,
                     "arms_tiv_2_to_1": (1.0 if year == 2000 else 0.0) if year >= 1999 else NAN,
                     **base})
        rows.append({"ccode1": 1, "ccode2": 3, "year": year,
                     "atop_defense": 0.0 if inside else NAN,
                     "given_1to2": NAN, "given_2to1": NAN,
                     "exercise_intensity": 0.0 if year in (1999, 2000) else NAN,
                     "arms_tiv_1_to_2": 4.0 if year >= 1999 else NAN,
                     "arms_tiv_2_to_1": 0.0 if year >= 1999 else NAN, **base})
    return pd.DataFrame(rows)


def test_profile_arms_layer_reciprocity_and_carried_layers():
    settings = _settings(layers=["alliance", "joint_exercise", "arms"], arms_window=2,
                         tiv_full=9.0, reciprocity_window=2, carry_forward_years=1,
                         longevity_full_years=2)
    dyads = _arms_dyads()
    out = partnership_profile(dyads, np.full(len(dyads), NAN), settings)
    out = out.set_index(["ccode1", "ccode2", "year"])
    # Arms source from 1999, window 2: 1999 is not fully covered -> NaN; 2000 (1,2): (9 + 9 +
    # 1) / 2 = 9.5 a year -> log1p(9.5) / log1p(9) > 1 -> capped 1.
    assert np.isnan(out.loc[(1, 2, 1999), "arms_intensity"])
    assert out.loc[(1, 2, 2000), "arms_tiv_window_mean"] == pytest.approx(9.5)
    assert out.loc[(1, 2, 2000), "arms_intensity"] == 1.0
    # (1,3): 4 a year -> ln 5 / ln 10
    assert out.loc[(1, 3, 2000), "arms_intensity"] == pytest.approx(np.log(5) / np.log(10))
    # Core 2000: alliance 1, exercise 0, arms 1 -> 2/3; core needs exercises: NaN in 2001.
    assert out.loc[(1, 2, 2000), "core_comprehensiveness"] == pytest.approx(2 / 3)
    assert np.isnan(out.loc[(1, 2, 2001), "core_comprehensiveness"])
    assert np.isnan(out.loc[(1, 2, 2001), "core_partnership_score"])
    # Current 2001: alliance 1 and arms 1 covered -> 1; 2002: alliance carried (flagged).
    assert out.loc[(1, 2, 2001), "comprehensiveness"] == 1.0
    assert out.loc[(1, 2, 2001), "layers_used"] == "alliance,arms"
    assert pd.isna(out.loc[(1, 2, 2001), "imputed_parts"])
    assert out.loc[(1, 2, 2002), "comprehensiveness"] == 1.0
    assert out.loc[(1, 2, 2002), "imputed_parts"] == "alliance,obligations"
    # Reciprocity 2000 (window 1999-2000): obligations 3 : 3 -> 1; arms 18 : 1 -> balance
    # 1 - 17/19 = 2/19 with weight 1/18; weighted mean (1 + 2/19 / 18) / (1 + 1/18).
    assert out.loc[(1, 2, 2000), "arms_balance"] == pytest.approx(2 / 19)
    assert out.loc[(1, 2, 2000), "arms_weight"] == pytest.approx(1 / 18)
    reciprocal = (1 + 2 / 19 / 18) / (1 + 1 / 18)
    assert out.loc[(1, 2, 2000), "reciprocity"] == pytest.approx(reciprocal)
    assert out.loc[(1, 2, 2000), "reciprocity_parts"] == "obligations,arms"
    # 2002 (window 2001-2002): one-way 18 : 0 -> weight 0: reciprocity rests on obligations.
    assert out.loc[(1, 2, 2002), "arms_weight"] == 0.0
    assert out.loc[(1, 2, 2002), "reciprocity"] == 1.0
    assert out.loc[(1, 2, 2002), "reciprocity_parts"] == "obligations"
    # (1,3): a one-way supplier relation -> no arms balance, no obligations -> NaN, not 0.
    assert np.isnan(out.loc[(1, 3, 2000), "reciprocity"])
    # Arms make a military tie once the arms window is covered: (1,3) runs from 2000.
    assert out.loc[(1, 3, 1999), "longevity_years"] == 0
    assert out.loc[(1, 3, 2000), "longevity_years"] == 1
    assert out.loc[(1, 3, 2001), "longevity_years"] == 2
    # No UN voting in the frame -> coherence NULL; (1,3) 2000 has comprehensiveness, longevity
    # only -> 2 criteria < 3 -> no score (never 0).
    assert np.isnan(out.loc[(1, 3, 2000), "coherence"])
    assert np.isnan(out.loc[(1, 3, 2000), "partnership_score"])
    # Where every core layer is observed, current = core.
    assert out.loc[(1, 2, 2000), "partnership_score"] == pytest.approx(
        out.loc[(1, 2, 2000), "core_partnership_score"])
    # 2000: longevity 2 of 2 years (defence since 1998) -> 1.
    # Gated: extent (2/3 + 1) / 2 = 5/6; coherence unobserved, so quality (reciprocity alone)
    # holds 1 of the 3 observed weights: 5/6 * (2/3 + 1/3 * reciprocal).
    assert out.loc[(1, 2, 2000), "partnership_score"] == pytest.approx(
        5 / 6 * (2 / 3 + reciprocal / 3))


def test_no_score_after_a_criterions_sources_end():
    # UN voting in 2000-2001 only: in 2002 coherence has ended for every pair, so the year is
    # unscored rather than re-weighted over the three other criteria.
    settings = _settings(layers=["alliance", "arms"], arms_window=1, tiv_full=9.0,
                         carry_forward_years=0)
    rows = []
    for year in (2000, 2001, 2002):
        rows.append({"ccode1": 1, "ccode2": 2, "year": year, "atop_defense": 1.0,
                     "atop_offense": 0, "atop_neutral": 0, "atop_nonagg": 0, "atop_consul": 0,
                     "joint_igo_full": 0, "joint_security_igo_full": 0, "joint_exercises": 0,
                     "igo_full1": 1, "igo_full2": 1, "joint_military_orgs": NAN,
                     "exercise_intensity": NAN, "given_1to2": 3.0, "given_2to1": 3.0,
                     "arms_tiv_1_to_2": 9.0, "arms_tiv_2_to_1": 0.0,
                     "unga_ideal_point_distance": 0.0 if year < 2002 else NAN})
    out = partnership_profile(pd.DataFrame(rows), np.full(3, NAN), settings)
    # 2001: comprehensiveness (1 + 1) / 2 = 1, longevity 2 / 10, reciprocity 1 (obligations;
    # the one-way arms flow has weight 0), coherence 1 (ideal points alone).
    # Gated: extent (1 + 0.2) / 2 = 0.6, quality 1 -> 0.6.
    assert out.loc[1, "partnership_score"] == pytest.approx(0.6)
    assert out.loc[2, "criteria_observed"] == 3
    assert np.isnan(out.loc[2, "partnership_score"])


def test_dyads_query_keeps_arms_pairs_only_when_the_build_has_arms():
    import duckdb

    from pipelines.indices.stage import partnership_dyads_query
    db = duckdb.connect()
    db.execute("create table mart_dyad_year (ccode1 integer, ccode2 integer, year integer)")
    assert "arms_tiv_1_to_2, 0)" not in partnership_dyads_query(db)
    assert "null::double as arms_tiv_1_to_2" in partnership_dyads_query(db)
    db.execute("alter table mart_dyad_year add column arms_tiv_1_to_2 double")
    db.execute("alter table mart_dyad_year add column unga_ideal_point_distance double")
    query = partnership_dyads_query(db)
    assert "coalesce(arms_tiv_1_to_2, 0) + coalesce(arms_tiv_2_to_1, 0) > 0" in query
    assert "kept.unga_ideal_point_distance as unga_ideal_point_distance" in query


def test_no_score_before_a_criterions_sources_start():
    # Coherence observed from 2001 only (for one pair): 2000 unscored for every pair.
    settings = _settings(layers=["alliance", "arms"], arms_window=1, tiv_full=9.0,
                         carry_forward_years=0)
    rows = []
    for pair in ((1, 2), (1, 3)):
        for year in (2000, 2001):
            rows.append({"ccode1": pair[0], "ccode2": pair[1], "year": year,
                         "atop_defense": 1.0, "atop_offense": 0, "atop_neutral": 0,
                         "atop_nonagg": 0, "atop_consul": 0, "joint_igo_full": 0,
                         "joint_security_igo_full": 0, "joint_exercises": 0, "igo_full1": 1,
                         "igo_full2": 1, "joint_military_orgs": NAN, "exercise_intensity": NAN,
                         "given_1to2": 3.0, "given_2to1": 3.0, "arms_tiv_1_to_2": 0.0,
                         "arms_tiv_2_to_1": 0.0,
                         "unga_ideal_point_distance": 0.0 if (year, pair) == (2001, (1, 2))
                         else NAN})
    out = partnership_profile(pd.DataFrame(rows), np.full(4, NAN), settings)
    assert out.loc[out["year"] == 2000, "partnership_score"].isna().all()
    # 2001: (1,3) has no vote (missing inside the source's years): re-weighted over three;
    # comprehensiveness (1 + 0) / 2, longevity 2/10, reciprocity 1: gated extent 0.35 times
    # (2/3 + 1/3 * 1) = 0.35.
    row = out[(out["year"] == 2001) & (out["ccode2"] == 3)].iloc[0]
    assert row["partnership_score"] == pytest.approx(0.35)


def test_gated_score_lets_quality_modify_extent_by_hand():
    from pipelines.indices.partnership import gated_partnership_score
    # columns: comprehensiveness, longevity, reciprocity, coherence
    criteria = np.array([
        [0.0, 0.0, 1.0, 1.0],     # no practice, perfect quality -> 0
        [0.2, 0.1, 0.0, 0.0],     # a little practice, no quality: 0.15 * (1 - 1/2) = 0.075
        [1.0, 1.0, 0.5, 0.3],     # full extent: equals the arithmetic mean (1+1+0.5+0.3)/4
        [0.6, 0.4, NAN, 0.8],     # reciprocity missing: E 0.5, m = 1/3 -> 0.5 * (2/3 + 0.8/3)
        [0.6, 0.4, NAN, NAN],     # only 2 criteria < min_criteria 3 -> NaN
        [NAN, 1.0, 1.0, 1.0],     # extent from longevity alone: 1 * 1
    ])
    score = gated_partnership_score(criteria, np.ones(4), min_criteria=3)
    assert score[0] == 0.0
    assert score[1] == pytest.approx(0.075)
    assert score[2] == pytest.approx(2.8 / 4)
    assert score[3] == pytest.approx(0.5 * (2 / 3 + 0.8 / 3))
    assert np.isnan(score[4])
    assert score[5] == pytest.approx(1.0)
    # The practice-less pair scores below the pair with practice (the arithmetic mean would
    # rank it first: 0.5 against 0.075).
    assert score[0] < score[1]
    assert partnership_score(criteria[:2], np.ones(4), 3).tolist() == pytest.approx(
        [0.5, 0.075])
    # Weights: comprehensiveness 2, coherence 0 -> E = (2*0.6 + 0.4) / 3 = 8/15; quality is
    # reciprocity 0.5 with 1 of the 4 weights -> 8/15 * (3/4 + 1/4 * 0.5).
    weighted = gated_partnership_score(np.array([[0.6, 0.4, 0.5, 0.9]]),
                                       np.array([2.0, 1.0, 1.0, 0.0]), min_criteria=3)
    assert weighted[0] == pytest.approx(8 / 15 * (0.75 + 0.125))
    # min_criteria counts only criteria with a weight: coherence (weight 0) cannot make up 3.
    short = gated_partnership_score(np.array([[0.6, 0.4, NAN, 0.9]]),
                                    np.array([2.0, 1.0, 1.0, 0.0]), min_criteria=3)
    assert np.isnan(short[0])


def test_aggregation_is_chosen_in_the_definition():
    base = {"pillars": {"institutional": {}, "operational": {}},
            "indicators": [{"name": "a", "pillar": "institutional"},
                           {"name": "b", "pillar": "operational"}],
            "uncertainty": {"seed": 1}}
    assert parse_definition(base).partnership.aggregation == "gated"
    arithmetic = parse_definition({**base, "partnership": {"aggregation": "arithmetic"}})
    assert arithmetic.partnership.aggregation == "arithmetic"
    with pytest.raises(IndexDefinitionError, match="partnership.aggregation.*Allowed: gated"):
        parse_definition({**base, "partnership": {"aggregation": "geometric"}})
    with pytest.raises(IndexDefinitionError, match="comprehensiveness or longevity"):
        parse_definition({**base, "partnership": {"criteria_weights": {
            "comprehensiveness": 0, "longevity": 0, "reciprocity": 1, "coherence": 1}}})


def test_profile_pair_without_practice_scores_below_a_pair_with_practice():
    # (1,2): no treaty, no arms, identical UN votes (the practice-less pair); (1,3): a defence
    # pact given one way and UN votes at ideal_point_full apart. Layers alliance, arms.
    rows = []
    for pair, consul, defense, given, distance in (((1, 2), 0, 0, (0.0, 0.0), 0.0),
                                                  ((1, 3), 0, 1, (3.0, 0.0), 3.0)):
        rows.append({"ccode1": pair[0], "ccode2": pair[1], "year": 2000,
                     "atop_defense": float(defense), "atop_offense": 0, "atop_neutral": 0,
                     "atop_nonagg": 0, "atop_consul": float(consul), "joint_igo_full": 0,
                     "joint_security_igo_full": 0, "joint_exercises": 0, "igo_full1": 1,
                     "igo_full2": 1, "joint_military_orgs": NAN, "exercise_intensity": NAN,
                     "given_1to2": given[0], "given_2to1": given[1], "arms_tiv_1_to_2": 0.0,
                     "arms_tiv_2_to_1": 0.0, "unga_ideal_point_distance": distance})
    def scores(aggregation):
        settings = _settings(layers=["alliance", "arms"], arms_window=1, tiv_full=9.0,
                             carry_forward_years=0, aggregation=aggregation)
        out = partnership_profile(pd.DataFrame(rows), np.full(2, NAN), settings)
        return out["partnership_score"].tolist()
    # (1,2): comprehensiveness 0, longevity 0, obligations none given -> reciprocity NaN,
    # coherence 1: gated 0; arithmetic (0 + 0 + 1) / 3 = 1/3.
    # (1,3): comprehensiveness (1 + 0) / 2, longevity 1/10, reciprocity 1 - 3/3 = 0,
    # coherence 0: gated E = 0.3, m = 1/2, Q = 0 -> 0.15; arithmetic 0.6 / 4.
    assert scores("gated") == pytest.approx([0.0, 0.15])
    assert scores("arithmetic") == pytest.approx([1 / 3, 0.15])
