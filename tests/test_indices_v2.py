"""Methodology v2 of the indices: every rule on a hand-worked fixture.

Part-year rule, carried-forward commitments (flagged), current and core composites, indicators
left out (pending source, no variance), the batched scoring and ranking, effective weights,
the derived commitment counts and corrections (SQL on tiny tables) and symbolic cooperation.
"""

from __future__ import annotations

import copy

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipelines.indices.composite import (
    carry_forward,
    composite_scores,
    cooperation_index,
    pillar_scores,
    rank_columns,
    rank_descending,
)
from pipelines.indices.config import Indicator, parse_definition
from pipelines.indices.inputs import after_source_column, derived_inputs, variant_column
from pipelines.indices.symbolic import symbolic_cooperation
from pipelines.settings import PROJECT_ROOT

NAN = np.nan

BASE = {
    "composite": {"normalisation": "minmax", "weights": "equal", "aggregation": "arithmetic",
                  "first_year": 2000, "min_months_member": 6.0, "current_min_coverage": 0.5},
    "pillars": {
        "institutional": {"weights": "equal", "min_share_observed": 0.5},
        "operational": {"weights": "equal", "min_share_observed": 0.5},
    },
    "indicators": [
        {"name": "treaty", "pillar": "institutional", "core": True, "carry_forward": 2},
        {"name": "forum", "pillar": "institutional"},
        {"name": "pko", "pillar": "operational", "core": True},
        {"name": "drills", "pillar": "operational"},
    ],
    "uncertainty": {"seed": 1},
}


def definition(**changes):
    raw = copy.deepcopy(BASE)
    for key, value in changes.items():
        raw[key] = value
    return parse_definition(raw)


def by_key(frame):
    return frame.set_index(["ccode", "year"]).sort_index()


# Three states, 1999-2003. treaty ends after 2001 (source end), drills after 2000.
#   ccode year months treaty forum pko drills
PANEL = pd.DataFrame([
    (1, 1999, 12, 0, 1, 0, 0),
    (1, 2000, 12, 4, 1, 0, 2),
    (1, 2001, 12, 4, 0, 10, NAN),
    (1, 2002, 12, NAN, 0, 10, NAN),
    (1, 2003, 12, NAN, 0, 10, NAN),
    (2, 2000, 12, 0, 0, 5, 0),
    (2, 2001, 12, 2, 1, 0, NAN),
    (2, 2002, 12, NAN, 1, 5, NAN),
    (2, 2003, 12, NAN, 1, 0, NAN),
    (3, 2000, 2.5, 8, 1, 10, 4),      # joined in October: not scored
    (3, 2001, 12, 8, 1, 5, NAN),
    (3, 2002, 12, NAN, 1, 0, NAN),
    (3, 2003, 12, NAN, 1, 5, NAN),
], columns=["ccode", "year", "months_member", "treaty", "forum", "pko", "drills"])


def test_part_year_and_pre_index_rows_are_not_scored():
    out = by_key(cooperation_index(PANEL, definition()))
    assert not out.loc[(3, 2000), "scored"] and pd.isna(out.loc[(3, 2000), "composite"])
    assert not out.loc[(1, 1999), "scored"] and pd.isna(out.loc[(1, 1999), "institutional"])
    assert out.loc[(3, 2001), "scored"] and out.loc[(3, 2000), "months_member"] == 2.5
    # 2000 ranks only the two full-year members.
    assert out.loc[(1, 2000), "n_ranked"] == 2


def test_carry_forward_fills_only_after_the_source_ends_and_flags_every_value():
    ind = Indicator("treaty", "institutional", "positive", "none", 1.0, None, "atop",
                    carry_forward=1)
    frame = PANEL[["ccode", "year", "treaty"]].copy()
    filled, flags = carry_forward(frame, (ind,), np.ones(len(frame), dtype=bool))
    got = by_key(filled.assign(flag=flags["treaty"]))
    # The source ends in 2001: 2002 is carried (1 year allowed), 2003 is not.
    assert got.loc[(1, 2002), "treaty"] == 4 and got.loc[(1, 2002), "flag"]
    assert got.loc[(2, 2002), "treaty"] == 2 and got.loc[(2, 2002), "flag"]
    assert pd.isna(got.loc[(1, 2003), "treaty"]) and not got.loc[(1, 2003), "flag"]
    assert not got.loc[(1, 2001), "flag"]
    # A gap inside the source's years is never filled.
    gap = pd.DataFrame({"ccode": [1, 1, 1], "year": [2000, 2001, 2002],
                        "treaty": [1.0, NAN, 3.0]})
    filled, flags = carry_forward(gap, (ind,), np.ones(3, dtype=bool))
    assert pd.isna(filled.loc[1, "treaty"]) and not flags["treaty"].any()


def test_carry_forward_adds_documented_changes_only_to_carried_values():
    ind = Indicator("treaty", "institutional", "positive", "none", 1.0, None, "atop",
                    carry_forward=2)
    frame = PANEL[["ccode", "year", "treaty"]].copy()
    # +1 for state 1 from 2002, -5 for state 2 in 2003 (floored at 0), and a change inside the
    # source's years (state 3, 2001) that must be ignored: only imputed values move.
    changes = pd.DataFrame({"treaty": 0.0}, index=frame.index)
    changes.loc[(frame["ccode"] == 1) & (frame["year"] >= 2002), "treaty"] = 1.0
    changes.loc[(frame["ccode"] == 2) & (frame["year"] == 2003), "treaty"] = -5.0
    changes.loc[(frame["ccode"] == 3) & (frame["year"] == 2001), "treaty"] = 3.0
    filled, flags = carry_forward(frame, (ind,), np.ones(len(frame), dtype=bool), changes)
    got = by_key(filled.assign(flag=flags["treaty"]))
    assert got.loc[(1, 2002), "treaty"] == 5 and got.loc[(1, 2003), "treaty"] == 5
    assert got.loc[(2, 2002), "treaty"] == 2 and got.loc[(2, 2003), "treaty"] == 0
    assert got.loc[(3, 2001), "treaty"] == 8 and not got.loc[(3, 2001), "flag"]
    assert got.loc[(3, 2002), "treaty"] == 8 and got.loc[(3, 2002), "flag"]
    assert got.loc[(1, 2002), "flag"] and got.loc[(2, 2003), "flag"]


def test_current_and_core_composites_by_hand():
    out = by_key(cooperation_index(PANEL, definition()))
    # Scored rows and min-max ranges (scored rows only, carried values included):
    # treaty 0..8 (x/8*100), forum 0..1, pko 0..10, drills 0..2 (2000: states 1, 2).
    # 2000, state 1: inst (50 + 100)/2 = 75, oper (0 + 100)/2 = 50, composite 62.5.
    assert out.loc[(1, 2000), "composite"] == pytest.approx(62.5)
    # Core (treaty | pko): inst 50, oper 0 -> 25.
    assert out.loc[(1, 2000), "core_composite"] == pytest.approx(25.0)
    # 2001: drills observed for no state -> not in the current set.
    assert out.loc[(1, 2001), "indicator_set"] == "treaty, forum, pko"
    # State 3, 2001: inst (100 + 100)/2 = 100, oper pko 50 -> 75; core (100 + 50)/2 = 75.
    assert out.loc[(3, 2001), "composite"] == pytest.approx(75.0)
    assert out.loc[(3, 2001), "core_composite"] == pytest.approx(75.0)
    # 2002: treaty carried forward (2 years allowed) and flagged.
    assert out.loc[(2, 2002), "imputed_indicators"] == "treaty"
    assert out.loc[(2, 2002), "institutional"] == pytest.approx((25 + 100) / 2)
    assert out.loc[(2, 2002), "core_composite"] == pytest.approx((25 + 50) / 2)
    # 2003: 2 years after 2001 still within carry_forward = 2.
    assert out.loc[(1, 2003), "imputed_indicators"] == "treaty"
    assert pd.isna(out.loc[(1, 2001), "imputed_indicators"])


def test_core_is_null_when_a_core_indicator_is_missing_never_rebased():
    out = by_key(cooperation_index(
        PANEL, definition(indicators=[
            {"name": "treaty", "pillar": "institutional", "core": True},  # no carry forward
            {"name": "forum", "pillar": "institutional"},
            {"name": "pko", "pillar": "operational", "core": True},
            {"name": "drills", "pillar": "operational"}])))
    # 2002: treaty has ended and is not carried: current uses forum alone, core is NULL.
    assert out.loc[(2, 2002), "indicator_set"] == "forum, pko"
    assert out.loc[(2, 2002), "institutional"] == pytest.approx(100.0)
    assert pd.isna(out.loc[(2, 2002), "core_composite"])
    assert pd.isna(out.loc[(2, 2002), "core_institutional"])


def test_pending_and_constant_indicators_are_left_out_with_a_reason():
    raw = copy.deepcopy(BASE)
    raw["indicators"].append({"name": "arms", "pillar": "operational", "optional": True})
    panel = PANEL.assign(flat=1.0)
    raw["indicators"].append({"name": "flat", "pillar": "institutional"})
    out = cooperation_index(panel, parse_definition(raw))
    assert out.attrs["dropped"] == {"arms": "pending: its source is not in this build",
                                    "flat": "no variance in the index years"}
    assert "flat" not in out["indicator_set"].dropna().iloc[0]
    # Without optional, an absent column is an error naming it.
    raw["indicators"][-2]["optional"] = False
    with pytest.raises(Exception, match="arms"):
        cooperation_index(panel, parse_definition(raw))


def test_pillar_scores_by_hand_with_weights_sets_and_exclusion():
    values = np.array([[100.0, 0.0, NAN], [50.0, NAN, NAN], [NAN, NAN, 20.0]])
    allowed = np.array([[True, True, False], [True, True, True], [True, True, True]])
    weights = np.array([[0.5, 0.0], [0.5, 1.0], [0.0, 0.0]])   # column 2 excludes indicator 0
    got = pillar_scores(values, weights, allowed, 0.5, "arithmetic")
    # Row 0: set {0, 1}; draw 0: (100*.5 + 0*.5)/1 = 50; draw 1: 0 / 1 = 0.
    assert got[0].tolist() == [50.0, 0.0]
    # Row 1: 1 of 3 observed < 0.5 -> NaN in every draw.
    assert np.isnan(got[1]).all()
    # Row 2: 1 of 3 observed -> NaN.
    assert np.isnan(got[2]).all()
    geometric = pillar_scores(values[:1], weights, allowed[:1], 0.5, "geometric")
    assert geometric[0, 0] == pytest.approx(np.expm1(0.5 * np.log1p(100.0)))
    both = composite_scores([np.array([[50.0]]), np.array([[NAN]])], np.ones((2, 1)),
                            "arithmetic")
    assert np.isnan(both[0, 0])  # the composite only where both pillars exist


def test_batched_ranks_equal_the_per_column_ranks_with_ties():
    rng = np.random.default_rng(3)
    year = np.repeat([2000, 2001], 40)
    scores = np.round(rng.random((80, 25)) * 10) * 10.0   # many exact ties
    scores[rng.random(scores.shape) < 0.1] = NAN
    got = rank_columns(year, scores)
    for column in range(scores.shape[1]):
        for value in (2000, 2001):
            rows = year == value
            expected = rank_descending(scores[rows, column][:, None])[:, 0]
            assert np.array_equal(got[rows, column], expected, equal_nan=True)
    # ties share the best rank: [100, 100, 50] -> 1, 1, 3
    assert rank_columns(np.zeros(3), np.array([[100.0], [100.0], [50.0]]))[:, 0].tolist() == [
        1.0, 1.0, 3.0]


def test_effective_weights_follow_the_correlation_with_the_composite():
    out = cooperation_index(PANEL, definition())
    effective = out.attrs["effective_weights"].set_index("indicator")
    assert effective["effective_weight"].sum() == pytest.approx(1.0)
    scored = out.dropna(subset=["composite"]).sort_values(["ccode", "year"])
    # treaty normalised = treaty / 8 * 100 over the composite rows (carried values included).
    panel = PANEL.merge(scored[["ccode", "year", "composite"]], on=["ccode", "year"])
    treaty = panel["treaty"].groupby(panel["ccode"]).ffill()
    r = np.corrcoef(treaty / 8 * 100, panel["composite"])[0, 1]
    assert effective.loc["treaty", "r2"] == pytest.approx(r ** 2)


# ---- derived inputs (SQL) -------------------------------------------------------------------

def _sql(name: str) -> str:
    path = next((PROJECT_ROOT / "sql").rglob(f"{name}.sql"))
    return path.read_text(encoding="utf-8")


@pytest.fixture
def con():
    db = duckdb.connect()
    db.execute("""create table mart_country_year as
        select * from (values (2, 2005), (365, 2005), (704, 2005), (704, 2006), (705, 2005),
                              (705, 2006), (2, 2006), (365, 2006), (704, 2007), (705, 2007),
                              (705, 2008), (365, 2007), (365, 2008), (2, 2007))
        as t(ccode, year)""")
    db.execute("""create table stg_cow_states__state_spells as
        select * from (values
            (2, date '1816-01-01', date '2016-12-31', true),
            (365, date '1991-12-26', date '2016-12-31', true),
            (704, date '2005-10-01', date '2016-12-31', true),
            (705, date '1991-12-26', date '2016-12-31', true))
        as t(ccode, start_date, end_date, is_ongoing)""")
    # ATOP directed rows: 2 guarantees 365 (one-sided defence); 704 and 705 consult only.
    db.execute("""create table int_atop_dyad_years_checked as
        select *, null as reject from (values
            (2, 365, 2005, 1, 0, 0, 0, 0), (365, 2, 2005, 0, 0, 0, 1, 1),
            (704, 705, 2005, 0, 0, 0, 0, 1), (705, 704, 2005, 0, 0, 0, 0, 1),
            (365, 705, 2005, 1, 0, 0, 0, 0), (705, 365, 2005, 1, 0, 0, 0, 0))
        as t(ccode1, ccode2, year, atop_defense, atop_offense, atop_neutral, atop_nonagg,
             atop_consul)""")
    db.execute("""create table int_atop_dyad_years_undirected as
        select least(ccode1, ccode2) as ccode1, greatest(ccode1, ccode2) as ccode2, year,
               max(atop_defense) as atop_defense, max(atop_offense) as atop_offense,
               max(atop_neutral) as atop_neutral, max(atop_nonagg) as atop_nonagg,
               max(atop_consul) as atop_consul
        from int_atop_dyad_years_checked group by all""")
    db.execute("""create table int_cow_igo_memberships_checked as
        select *, null as reject from (values
            (704, 'CSTO', 2005, 1), (705, 'csto', 2005, 1), (365, 'csto', 2005, 1),
            (704, 'osce', 2005, 1), (704, 'csto', 2006, 1), (705, 'csto', 2006, 1),
            (365, 'csto', 2006, 1), (2, 'nato', 2005, 1), (2, 'nato', 2006, 1))
        as t(ccode, ioname, year, status)""")
    db.execute("""create table seed_corrections as select * from (values
        ('uzb', 'cow_igo', 'igo_membership', '704', 'csto', '2002', '2005', 'status', '0',
         'left in 1999', 'treaty'),
        ('kaz', 'atop', 'atop_obligation', '705', '365|370', '2005', '2005', 'atop_defense',
         '0', 'evidence', 'treaty'),
        ('joins', 'cow_igo', 'igo_membership_after_source', '705', 'nato', '2007', '2008',
         'status', '1', 'accession', 'protocol'),
        ('already', 'cow_igo', 'igo_membership_after_source', '704', 'csto', '2007', '2008',
         'status', '1', 'the source has it', 'charter'),
        ('leaves', 'cow_igo', 'igo_membership_after_source', '365', 'csto', '2008', '2008',
         'status', '0', 'withdrawal', 'note'),
        ('inside', 'cow_igo', 'igo_membership_after_source', '2', 'osce', '2006', '2006',
         'status', '1', 'a year the source covers', 'act')
        ) as t(correction_id, source_id, entity, ccode, item,
         first_year, last_year, field, corrected_value, evidence, citation)""")
    db.execute("""create table seed_security_igos as select * from (values
        ('nato', 'NATO', '', 'military', 'military', '1'), ('csto', 'CSTO', '', 'military',
         'military', '1'), ('osce', 'OSCE', '', 'dialogue', 'military', '0'))
        as t(ioname_lower, label, note, kind, kind_alternative, defence_obligation)""")
    for model in ("stg_seeds__corrections", "stg_seeds__security_igos",
                  "int_cow_igo_memberships_corrected", "int_atop_dyad_years_corrected"):
        db.execute(f"create table {model} as {_sql(model)}")
    db.execute("""create table mart_dyad_year as select * from (values
        (365, 705, 2004, 1), (2, 365, 2001, 1)) as t(ccode1, ccode2, year, joint_exercises)""")
    yield db
    db.close()


COVERAGE = {"atop": range(1815, 2006), "cow_igo": range(1816, 2007), "mme": range(1980, 2011)}


def test_corrections_replace_the_published_status_and_say_so(con):
    rows = con.execute("""select ccode, year, status, status_published, status_source
        from int_cow_igo_memberships_corrected where ioname = 'csto' and ccode = 704
        order by year""").fetchall()
    # 2002-2004: added rows with status 0 and no published value; 2005 corrected to 0;
    # 2006 as published.
    assert rows == [(704, 2002, 0, None, "correction:uzb"), (704, 2003, 0, None,
                    "correction:uzb"), (704, 2004, 0, None, "correction:uzb"),
                    (704, 2005, 0, 1, "correction:uzb"), (704, 2006, 1, 1, "cow_igo")]


def test_derived_inputs_by_hand(con):
    got = by_key(derived_inputs(con, COVERAGE))
    # Direction: 2 gives a defence obligation to 365, and receives none.
    assert got.loc[(2, 2005), "alliance_defence_given"] == 1
    assert got.loc[(2, 2005), "alliance_defence_received"] == 0
    # The (fixture) correction 'kaz' removes the 705-365 defence obligation both ways in 2005:
    # 365 receives one (from 2) instead of two, and gives none instead of one.
    assert got.loc[(365, 2005), "alliance_defence_received"] == 1
    assert got.loc[(365, 2005), "alliance_defence_received__uncorrected"] == 2
    assert got.loc[(365, 2005), "alliance_defence_given"] == 0
    assert got.loc[(365, 2005), "alliance_defence_given__uncorrected"] == 1
    assert got.loc[(365, 2005), "corrections_applied"] == "kaz"
    # 365 -> 2: non-aggression and consultation only: one weak partner.
    assert got.loc[(365, 2005), "alliance_weak_obligations"] == 1
    # ATOP ends 2005 here: NULL in 2006, never 0.
    assert pd.isna(got.loc[(365, 2006), "alliance_defence_given"])
    # Uzbekistan 2005: CSTO corrected away; OSCE is a dialogue forum (military in the
    # alternative list).
    assert got.loc[(704, 2005), "military_orgs"] == 0
    assert got.loc[(704, 2005), "military_orgs__uncorrected"] == 1
    assert got.loc[(704, 2005), "dialogue_forums"] == 1
    assert got.loc[(704, 2005), "military_orgs__alt"] == 1
    assert got.loc[(704, 2005), "military_orgs__alt__uncorrected"] == 2
    assert got.loc[(704, 2005), "corrections_applied"] == "uzb"
    assert variant_column("alliance_defence_given", "nominal", False) == (
        "alliance_defence_given__uncorrected")
    assert got.loc[(704, 2006), "military_orgs"] == 1
    # Months: 704 from 1 October 2005 -> 92 / 365 * 12 months.
    assert got.loc[(704, 2005), "months_member"] == pytest.approx(12 * 92 / 365)
    assert got.loc[(704, 2006), "months_member"] == pytest.approx(12.0)
    assert variant_column("military_orgs", "alternative", False) == (
        "military_orgs__alt__uncorrected")
    assert variant_column("exercises", "alternative", False) == "exercises"


def test_documented_changes_after_the_source_by_hand(con):
    got = by_key(derived_inputs(con, COVERAGE))
    # COW IGO ends 2006 here. 705 joins NATO (military) from 2007: +1 in 2007 and 2008,
    # nothing in 2006 (inside the source: its own record stands), and the count marts' columns
    # stay NULL after the source (the change is only a column for the carry-forward).
    assert got.loc[(705, 2007), "military_orgs__after_source"] == 1
    assert got.loc[(705, 2008), "military_orgs__alt__after_source"] == 1
    assert got.loc[(705, 2006), "military_orgs__after_source"] == 0
    assert pd.isna(got.loc[(705, 2007), "military_orgs"])
    assert got.loc[(705, 2007), "corrections_applied"] == "joins"
    # 704 is a CSTO member in the source's last year (2006): "member in 2007" changes nothing
    # and is not listed as applied.
    assert got.loc[(704, 2007), "military_orgs__after_source"] == 0
    assert pd.isna(got.loc[(704, 2007), "corrections_applied"])
    # 365 leaves the CSTO in 2008: -1 then, nothing in 2007.
    assert got.loc[(365, 2007), "military_orgs__after_source"] == 0
    assert got.loc[(365, 2008), "military_orgs__after_source"] == -1
    assert got.loc[(365, 2008), "dialogue_forums__after_source"] == 0
    # A row for a year the source covers is never applied (2006 <= the source's last year).
    assert got.loc[(2, 2006), "dialogue_forums__after_source"] == 0
    assert got.loc[(2, 2007), "dialogue_forums__after_source"] == 0
    # ATOP ends 2005 here. 705's documented NATO accession (2007) gives it a defence
    # obligation with 2, NATO's member in COW's last roster (2006), both ways; ATOP's last year
    # had neither (2 -> 365 only), so +1 given and received for both in 2007, named in
    # corrections_applied (once, though it moves two counts). 2 has no row in 2008 (not a
    # state of the frame then): no partner, so nothing for 705 in 2008.
    for key in ((705, 2007), (2, 2007)):
        assert got.loc[key, "alliance_defence_given__after_source"] == 1, key
        assert got.loc[key, "alliance_defence_received__after_source"] == 1, key
    assert got.loc[(705, 2008), "alliance_defence_given__after_source"] == 0
    assert got.loc[(2, 2007), "corrections_applied"] == "joins"
    # Roster pairs without a documented change add nothing (704, 705 and 365 are CSTO members
    # in COW's last roster; ATOP codes only consultation between 704 and 705), nor does 704's
    # "member in 2007" that the source already had, nor 365's withdrawal (additions only).
    assert got.loc[(704, 2007), "alliance_defence_given__after_source"] == 0
    assert got.loc[(365, 2007), "alliance_defence_received__after_source"] == 0
    assert got.loc[(365, 2008), "alliance_defence_given__after_source"] == 0
    assert got.loc[(705, 2006), "alliance_defence_given__after_source"] == 0
    assert after_source_column("alliance_defence_given", "alternative", True) == (
        "alliance_defence_given__after_source")
    assert after_source_column("alliance_weak_obligations", "nominal", True) is None
    # The uncorrected variants have no after-source column (corrections off: plain carry).
    assert after_source_column("military_orgs", "nominal", False) is None
    assert after_source_column("military_orgs", "alternative", True) == (
        "military_orgs__alt__after_source")
    assert after_source_column("exercises", "nominal", True) is None


def test_symbolic_share_by_hand(con):
    got = by_key(symbolic_cooperation(con, COVERAGE, window=3, first_year=2000))
    # 365 in 2005: strong-alliance partners 2 and 705; CSTO partner 705 (704's 2005 CSTO
    # membership is corrected away). Commitments {2, 705}; practice in 2003-2005: 705
    # (2004); the 2001 exercise with 2 is outside the window. 1 of 2 without practice.
    assert got.loc[(365, 2005), "commitments"] == 2
    assert got.loc[(365, 2005), "commitments_without_practice"] == 1
    assert got.loc[(365, 2005), "symbolic_share"] == pytest.approx(1 / 2)
    # 704 in 2005 has no commitment (CSTO corrected away, consultation only): no row, NULL.
    assert (704, 2005) not in got.index
    # 2006: MME covers 1980-2010, the window 2004-2006 is covered; 704 now in CSTO.
    assert got.loc[(704, 2006), "commitments"] == 2
    assert got.loc[(704, 2006), "symbolic_share"] == pytest.approx(1.0)
    # A window outside every practice source's years gives NULL, not "no practice".
    late = by_key(symbolic_cooperation(con, {**COVERAGE, "mme": range(1980, 2005)}, 3, 2000))
    assert pd.isna(late.loc[(365, 2005), "symbolic_share"])
    assert late.loc[(365, 2005), "commitments"] == 2


def test_practice_layers_and_partnership_columns_plug_in_when_present(con):
    from pipelines.indices.stage import partnership_dyads_query
    # Without the arms column only exercises are a practice layer, and the partnership query
    # has NULL placeholders for UN agreement and arms.
    assert "null::double as unga_agreement" in partnership_dyads_query(con)
    # An arms transfer 365 -> 2 in 2004 turns the 2-365 commitment into practised.
    con.execute("alter table mart_dyad_year add column arms_tiv_1_to_2 double")
    con.execute("alter table mart_dyad_year add column arms_tiv_2_to_1 double")
    con.execute("insert into mart_dyad_year values (2, 365, 2004, 0, 0.0, 5.0)")
    coverage = {**COVERAGE, "sipri_arms": range(1950, 2026)}
    got = by_key(symbolic_cooperation(con, coverage, window=3, first_year=2000))
    assert got.loc[(365, 2005), "practice_layers"] == "arms_transfer, joint_exercise"
    assert got.loc[(365, 2005), "commitments_without_practice"] == 0
    assert "kept.arms_tiv_1_to_2 as arms_tiv_1_to_2" in partnership_dyads_query(con)
