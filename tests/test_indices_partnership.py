"""Partnership criteria of a pair of states, each checked against a hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.indices.config import parse_definition
from pipelines.indices.partnership import (
    alliance_level,
    coherence,
    comprehensiveness,
    dyad_symbolic_gap,
    igo_jaccard,
    partnership_profile,
    partnership_score,
    reciprocity,
    s_score_matrix,
    s_scores,
    tie_runs,
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
    # (0.4 + (0.2 + 1)/2) / 2 = 0.5; S alone -1 -> 0; neither -> NaN
    result = coherence([0.4, NAN, NAN], [0.2, -1.0, NAN])
    assert result[:2].tolist() == pytest.approx([0.5, 0.0])
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
        "partnership": {"longevity_full_years": 4, "exercise_full": 2.0},
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
    })
    out = partnership_profile(dyads, np.array([0.5, 0.5, 0.5]), settings)
    # 2001: fixed layers alliance (3/3 = 1), joint military org 1, exercises 0 -> 2/3;
    # longevity 2 of 4 years -> 0.5; reciprocity 1; coherence = S alone (no UN voting in
    # the build): (0.5 + 1)/2 = 0.75; jaccard 2 / (4 + 3 - 2) = 0.4 is reported only.
    row = out.iloc[1]
    assert row["comprehensiveness"] == pytest.approx(2 / 3)
    assert row["longevity_years"] == 2 and row["longevity"] == 0.5
    assert row["reciprocity"] == 1.0
    assert row["igo_jaccard"] == pytest.approx(0.4)
    assert row["coherence"] == pytest.approx(0.75)
    assert row["partnership_score"] == pytest.approx((2 / 3 + 0.5 + 1 + 0.75) / 4)
    # 2000: alliance 1, military org 0, exercises 1.25 / 2 -> (1 + 0 + 0.625) / 3.
    first = out.iloc[0]
    assert first["comprehensiveness"] == pytest.approx(1.625 / 3)
    assert first["reciprocity"] == pytest.approx(2 / 3)
    assert first["layer_joint_exercise"] == 1.0
    # 2002: exercises not covered -> comprehensiveness NULL and so no score (fixed layers);
    # a non-aggression pact alone is no military tie: the run of years breaks.
    last = out.iloc[2]
    assert np.isnan(last["comprehensiveness"]) and np.isnan(last["partnership_score"])
    assert last["longevity_years"] == 0


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
        "partnership": {"reciprocity_window": 2},
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
