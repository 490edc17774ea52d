"""Shares of cooperation with partner blocs, concentration and the overlap rule, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.indices.config import BlocMember
from pipelines.indices.multivector import bloc_membership, concentration, multivector

# Bloc x = {10}; y = {20, 30}; z = {30} -> state 30 is in y and z, its ties split 1/2 each.
# State 50 is in x only until 1999.
BLOCS = (
    BlocMember("x", 10, None, None),
    BlocMember("y", 20, None, None),
    BlocMember("y", 30, None, None),
    BlocMember("z", 30, 2000, None),
    BlocMember("x", 50, None, 1999),
)


def ties(rows):
    return pd.DataFrame(rows, columns=["ccode", "partner", "year", "value"])


def test_membership_years_and_overlap_fractions():
    membership = bloc_membership(BLOCS, range(1999, 2001)).set_index(["bloc", "partner", "year"])
    assert membership.loc[("y", 30, 1999), "fraction"] == 1.0   # z starts in 2000
    assert membership.loc[("y", 30, 2000), "fraction"] == 0.5
    assert membership.loc[("z", 30, 2000), "fraction"] == 0.5
    assert ("x", 50, 2000) not in membership.index


def test_shares_hhi_effective_number_and_largest_bloc_by_hand():
    layer_ties = {
        # alliance: to 10 (3), to 30 (1), to 40 (2, no bloc): total 6
        # -> x 1/2, y 1/12, z 1/12, other 1/3
        "alliance": ties([(1, 10, 2000, 3), (1, 30, 2000, 1), (1, 40, 2000, 2)]),
        # exercises: to 20 (2) -> y 1
        "joint_exercise": ties([(1, 20, 2000, 2)]),
        # no security-IGO ties: the layer is not used for state 1
        "joint_security_igo": ties([]),
    }
    out = multivector(layer_ties, BLOCS, {"alliance": 1.0, "joint_exercise": 1.0,
                                          "joint_security_igo": 1.0}).iloc[0]
    # Equal layer weights over the 2 layers used: x 1/4, y (1/12 + 1)/2 = 13/24, z 1/24.
    assert out["n_layers_used"] == 2
    assert out["layers_used"] == "alliance,joint_exercise"
    assert out["share_x"] == pytest.approx(1 / 4)
    assert out["share_y"] == pytest.approx(13 / 24)
    assert out["share_z"] == pytest.approx(1 / 24)
    assert out["other_share"] == pytest.approx(1 / 6)
    # Within blocs (divide by 5/6): 0.3, 0.65, 0.05 -> HHI 0.09 + 0.4225 + 0.0025
    assert out["hhi"] == pytest.approx(0.515)
    assert out["effective_blocs"] == pytest.approx(1 / 0.515)
    assert out["largest_bloc"] == "y"
    assert out["largest_bloc_share"] == pytest.approx(13 / 24)


def test_layer_weights_change_the_mix():
    layer_ties = {"alliance": ties([(1, 10, 2000, 1)]),
                  "joint_exercise": ties([(1, 20, 2000, 1)])}
    out = multivector(layer_ties, BLOCS, {"alliance": 3.0, "joint_exercise": 1.0}).iloc[0]
    assert out["share_x"] == pytest.approx(0.75) and out["share_y"] == pytest.approx(0.25)
    # A layer with weight 0 is not used at all.
    out = multivector(layer_ties, BLOCS, {"alliance": 1.0, "joint_exercise": 0.0}).iloc[0]
    assert out["share_x"] == 1.0 and out["n_layers_used"] == 1
    assert out["hhi"] == 1.0 and out["effective_blocs"] == 1.0


def test_ties_to_no_bloc_leave_concentration_null_not_zero():
    shares = pd.DataFrame({"x": [0.0], "y": [0.0]})
    out = concentration(shares, ["x", "y"]).iloc[0]
    assert out["other_share"] == 1.0
    assert np.isnan(out["hhi"]) and np.isnan(out["effective_blocs"])
    assert out["largest_bloc"] is None


def test_per_member_shares_do_not_reward_a_large_bloc_by_size():
    # Bloc big = {10, 11, 12, 13}; bloc one = {20}. State 1 has a tie of 1 with each of the
    # four big members and a tie of 1 with 20. Volume shares: big 4/5, one 1/5. Per member:
    # big 4 / 4 = 1, one 1 / 1 = 1 -> 1/2 each.
    members = tuple(BlocMember("big", c, None, None) for c in (10, 11, 12, 13)) + (
        BlocMember("one", 20, None, None),)
    layer = ties([(1, c, 2000, 1) for c in (10, 11, 12, 13, 20)])
    out = multivector({"alliance": layer}, members, {"alliance": 1.0}).iloc[0]
    assert out["share_big"] == pytest.approx(0.8) and out["share_one"] == pytest.approx(0.2)
    assert out["per_member_share_big"] == pytest.approx(0.5)
    assert out["per_member_share_one"] == pytest.approx(0.5)
    assert out["per_member_hhi"] == pytest.approx(0.5)
    # A member's own bloc is sized without it: 10 tied to 11 only -> big size 3 -> 1/3; no
    # tie to "one" -> per-member share of big is 1.
    own = multivector({"alliance": ties([(10, 11, 2000, 1)])}, members,
                      {"alliance": 1.0}).iloc[0]
    assert own["per_member_share_big"] == pytest.approx(1.0)
    assert own["per_member_share_one"] == pytest.approx(0.0)


def test_arms_layer_enters_with_the_other_layers_and_shares_sum_to_one():
    # Arms (TIV either way over 5 years): 30 with 10 (x), 10 with 30 (y and z, split), 60
    # with 40 (no bloc) -> x 0.3, y 0.05, z 0.05, other 0.6. Alliance: 10 only -> x 1.
    layer_ties = {"alliance": ties([(1, 10, 2000, 3)]),
                  "arms": ties([(1, 10, 2000, 30.0), (1, 30, 2000, 10.0), (1, 40, 2000, 60.0)])}
    out = multivector(layer_ties, BLOCS, {"alliance": 1.0, "arms": 1.0}).iloc[0]
    assert out["layers_used"] == "alliance,arms"
    assert out["share_x"] == pytest.approx((1 + 0.3) / 2)
    assert out["share_y"] == pytest.approx(0.05 / 2) and out["share_z"] == pytest.approx(0.025)
    assert out["other_share"] == pytest.approx(0.3)
    total = out[["share_x", "share_y", "share_z", "other_share"]].sum()
    assert total == pytest.approx(1.0)
    per_member = out[["per_member_share_x", "per_member_share_y", "per_member_share_z"]]
    assert per_member.sum() == pytest.approx(1.0)


def test_stage_arms_ties_sum_five_years_either_way():
    import duckdb

    from pipelines.indices.stage import LAYER_TIES
    db = duckdb.connect()
    db.execute("""create table mart_dyad_year as select * from (values
        (1, 2, 2000, 4.0, 0.0), (1, 2, 2001, 0.0, 1.0), (1, 2, 2005, 0.0, 0.0),
        (1, 2, 2006, 0.0, 0.0), (1, 2, 1940, null, null))
        as t(ccode1, ccode2, year, arms_tiv_1_to_2, arms_tiv_2_to_1)""")
    got = dict(db.execute(f"select year, value from ({LAYER_TIES['arms']})").fetchall())
    # 2000: 4; 2001: 4 + 1; 2005: window 2001-2005 -> 1; 2006: 2002-2006 -> 0 (no tie row);
    # 1940 outside SIPRI (NULL) -> no row.
    assert got == {2000: 4.0, 2001: 5.0, 2005: 1.0}
