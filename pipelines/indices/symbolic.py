"""Symbolic cooperation at dyad level (methodology v2, section 3.7): commitments without
practice.

For a state i in year y, its military commitments are the partners j it shares a strong
alliance obligation with (ATOP defence, offence or neutrality, in either direction) or a
military organisation with (seeds/security_igos.csv kind = military, corrected memberships).
A commitment shows practice if i and j cooperated in practice at least once in the window
[y - window + 1, y]: a joint exercise (MME) or any practice layer whose table is in the build
(arms transfers either way, UN co-deployment: whichever of their columns the build has).

    symbolic_share(i, y) = commitments without practice / commitments

NULL when the state has no commitment that year (nothing to be symbolic about), or when the
exercise source (MME) does not cover every year of the window (absence of evidence is not
absence of practice: a window half outside MME's years would make shares rise mechanically).
Practice from a layer counts only when that layer's source covers the whole window; the layers
are recorded per row (practice_layers). After MME ends (2010), symbolic_share_no_exercise
(arms and co-deployment only) is the honest continuation: a separate column, not a splice.
"""

from __future__ import annotations

import duckdb
import pandas as pd

# Practice layers: name -> (source id in mart_source_coverage, the mart_dyad_year column it
# needs, query of undirected pair-years with practice). A layer whose column is absent from
# the build is skipped, and the layers used are reported per row.
PRACTICE_LAYERS = {
    "joint_exercise": ("mme", "joint_exercises",
                       "select ccode1, ccode2, year from mart_dyad_year "
                       "where joint_exercises > 0"),
    "arms_transfer": ("sipri_arms", "arms_tiv_1_to_2",
                      "select ccode1, ccode2, year from mart_dyad_year "
                      "where arms_tiv_1_to_2 > 0 or arms_tiv_2_to_1 > 0"),
    "co_deployment": ("geo_pko", "pko_codeployed",
                      "select ccode1, ccode2, year from mart_dyad_year "
                      "where pko_codeployed > 0"),
}

COMMITMENTS = """
with

strong as (
    select ccode1, ccode2, year
    from int_atop_dyad_years_corrected
    where (atop_defense = 1 or atop_offense = 1 or atop_neutral = 1) and year >= $first
),

military as (
    select m.ccode, m.ioname, m.year
    from int_cow_igo_memberships_corrected as m
    inner join stg_seeds__security_igos as s on m.ioname = s.ioname_lower
    where m.status = 1 and s.kind = 'military' and m.year >= $first
),

co_members as (
    select distinct a.ccode as ccode1, b.ccode as ccode2, a.year
    from military as a
    inner join military as b on a.ioname = b.ioname and a.year = b.year and a.ccode < b.ccode
),

pairs as (
    select least(ccode1, ccode2) as ccode1, greatest(ccode1, ccode2) as ccode2, year
    from strong
    union
    select ccode1, ccode2, year from co_members
)

select ccode1 as ccode, ccode2 as partner, year from pairs
union all
select ccode2 as ccode, ccode1 as partner, year from pairs
"""


def available_layers(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, str]]:
    columns = {r[0] for r in con.execute(
        "select column_name from information_schema.columns "
        "where table_name = 'mart_dyad_year'").fetchall()}
    return {name: spec for name, spec in PRACTICE_LAYERS.items() if spec[1] in columns}


def symbolic_cooperation(con: duckdb.DuckDBPyConnection, coverage: dict[str, range],
                         window: int, first_year: int) -> pd.DataFrame:
    """ccode, year, commitments, commitments_without_practice, symbolic_share,
    symbolic_share_no_exercise, practice_layers (the layers covering the whole window).

    symbolic_share needs the exercise layer (MME) to cover the window, so its meaning (every
    kind of practice looked for) is the same in every year it exists; practice then also comes
    from arms transfers and co-deployment where their sources cover the window (listed in
    practice_layers). symbolic_share_no_exercise looks only for the other practice layers
    (arms either way, UN co-deployment), so it reaches past MME's end: a separate series, read
    against itself over time, never spliced onto symbolic_share.
    """
    layers = {name: spec for name, spec in available_layers(con).items()
              if spec[0] in coverage}
    practice = " union all ".join(
        f"select ccode1, ccode2, year, '{name}' as layer from ({spec[2]})"
        for name, spec in layers.items()) or (
        "select null::integer as ccode1, null::integer as ccode2, null::integer as year, "
        "null::varchar as layer where false")
    spans = " union all ".join(
        f"select '{name}' as layer, {coverage[spec[0]].start} as first_year, "
        f"{coverage[spec[0]].stop - 1} as last_year" for name, spec in layers.items()) or (
        "select null::varchar as layer, null::integer as first_year, "
        "null::integer as last_year where false")
    query = f"""
    with
    commitments as ({COMMITMENTS}),
    practice as (
        select ccode1 as ccode, ccode2 as partner, year, layer from ({practice})
        union all
        select ccode2 as ccode, ccode1 as partner, year, layer from ({practice})
    ),
    spans as ({spans}),
    covering as (
        -- the practice layers whose source covers every year of the window
        select years.year, spans.layer
        from (select distinct year from commitments) as years
        inner join spans
            on spans.first_year <= years.year - $window + 1 and spans.last_year >= years.year
    ),
    window_layers as (
        select
            year,
            string_agg(layer, ', ' order by layer) as layers,
            bool_or(layer = 'joint_exercise') as has_exercise,
            bool_or(layer <> 'joint_exercise') as has_other
        from covering
        group by year
    ),
    flagged as (
        -- practice counts only from a layer that covers the whole window
        select
            c.ccode,
            c.year,
            c.partner,
            bool_or(p.layer is not null) as practised,
            bool_or(p.layer is not null and p.layer <> 'joint_exercise') as practised_otherwise
        from commitments as c
        left join covering as v on c.year = v.year
        left join practice as p
            on c.ccode = p.ccode and c.partner = p.partner and v.layer = p.layer
            and p.year between c.year - $window + 1 and c.year
        group by c.ccode, c.year, c.partner
    )
    select
        flagged.ccode,
        flagged.year,
        count(*) as commitments,
        case when w.has_exercise
            then count(*) filter (where not practised) end as commitments_without_practice,
        case when w.has_exercise
            then (count(*) filter (where not practised)) / count(*) end as symbolic_share,
        case when w.has_other
            then (count(*) filter (where not practised_otherwise)) / count(*)
        end as symbolic_share_no_exercise,
        w.layers as practice_layers
    from flagged
    left join window_layers as w on flagged.year = w.year
    group by flagged.ccode, flagged.year, w.layers, w.has_exercise, w.has_other
    order by flagged.ccode, flagged.year
    """
    return con.execute(query, {"window": window, "first": first_year}).df()
