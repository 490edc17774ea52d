"""The index inputs derived from the checked source tables (methodology v2, section 3).

mart_country_year holds the counts as the sources publish them. The index needs a few
measures it does not: military commitments split by kind and by direction; the security
organisations split into military organisations and dialogue forums; both with the documented
corrections of seeds/corrections.csv applied (int_atop_dyad_years_corrected,
int_cow_igo_memberships_corrected) and, for the sensitivity analysis, without them; and the
months of the year a state was a system member (the part-year rule). They are computed here, in
SQL over the work database, one row per row of mart_country_year; NULL outside a source's
years, 0 inside (as in the counts marts).
"""

from __future__ import annotations

import duckdb
import pandas as pd

# Variants of the organisation columns: (organisation list, corrections applied).
ORG_COLUMNS = ("military_orgs", "dialogue_forums")
ORG_VARIANTS = {("nominal", True): "", ("alternative", True): "__alt",
                ("nominal", False): "__uncorrected", ("alternative", False): "__alt__uncorrected"}
# The ATOP columns vary with the corrections only.
ATOP_COLUMNS = ("alliance_defence_given", "alliance_defence_received",
                "alliance_offence_neutrality", "alliance_weak_obligations")


def after_source_column(name: str, organisation_list: str, corrections: bool) -> str | None:
    """The panel column holding the documented change (after the source's end) to add to a
    carried-forward value of indicator `name`, or None: only the organisation counts have one,
    and only with the corrections applied (seeds/corrections.csv, igo_membership_after_source).
    """
    if name in ORG_COLUMNS and corrections:
        return name + ORG_VARIANTS[(organisation_list, True)] + "__after_source"
    if name in ("alliance_defence_given", "alliance_defence_received") and corrections:
        return name + "__after_source"
    return None


def variant_column(name: str, organisation_list: str, corrections: bool) -> str:
    """The panel column holding indicator `name` under an organisation list and corrections
    setting (the nominal name for every other indicator)."""
    if name in ORG_COLUMNS:
        return name + ORG_VARIANTS[(organisation_list, corrections)]
    if name in ATOP_COLUMNS and not corrections:
        return name + "__uncorrected"
    return name


def _atop_counts(defense: str, suffix: str) -> str:
    """The four ATOP counts of a state's own directed rows, from defence column `defense`."""
    return f"""
        count(distinct ccode2) filter (where {defense} = 1) as alliance_defence_given{suffix},
        count(distinct ccode2) filter (where {defense} = 0
            and (atop_offense = 1 or atop_neutral = 1)) as alliance_offence_neutrality{suffix},
        count(distinct ccode2) filter (where {defense} = 0 and atop_offense = 0
            and atop_neutral = 0 and (atop_nonagg = 1 or atop_consul = 1))
            as alliance_weak_obligations{suffix}"""


def _org_counts(kind_column: str, status_column: str, suffix: str) -> str:
    return f"""
        count(distinct m.ioname) filter (where m.{status_column} = 1
                                         and s.{kind_column} = 'military')
            as military_orgs{suffix},
        count(distinct m.ioname) filter (where m.{status_column} = 1
                                         and s.{kind_column} = 'dialogue')
            as dialogue_forums{suffix}"""


DERIVED = f"""
with

frame as (
    select ccode, year from mart_country_year
),

spells as (
    select ccode, start_date, case when is_ongoing then date '9999-12-31' else end_date end
        as end_date
    from stg_cow_states__state_spells
),

months as (
    -- Days of the year inside a membership spell, as months (12 * days / days in year).
    select
        frame.ccode,
        frame.year,
        12.0 * coalesce(sum(greatest(0, datediff(
            'day',
            greatest(spells.start_date, make_date(frame.year, 1, 1)),
            least(spells.end_date, make_date(frame.year, 12, 31))) + 1)), 0)
        / (datediff('day', make_date(frame.year, 1, 1), make_date(frame.year, 12, 31)) + 1)
            as months_member
    from frame
    left join spells on frame.ccode = spells.ccode
        and spells.start_date <= make_date(frame.year, 12, 31)
        and spells.end_date >= make_date(frame.year, 1, 1)
    group by frame.ccode, frame.year
),

atop as (
    select * from int_atop_dyad_years_corrected
),

given as (
    -- ccode1's own obligations to ccode2 (ATOP directed rows: the obligation ccode1 gives),
    -- corrected and as published.
    select
        ccode1 as ccode,
        year,
        {_atop_counts("atop_defense", "")},
        {_atop_counts("atop_defense_published", "__uncorrected")},
        string_agg(
            distinct replace(obligation_source, 'correction:', ''), ', '
            order by replace(obligation_source, 'correction:', '')
        ) filter (where obligation_source <> 'atop') as atop_corrections
    from atop
    group by ccode1, year
),

received as (
    select
        ccode2 as ccode,
        year,
        count(distinct ccode1) filter (where atop_defense = 1) as alliance_defence_received,
        count(distinct ccode1) filter (where atop_defense_published = 1)
            as alliance_defence_received__uncorrected
    from atop
    group by ccode2, year
),

organisations as (
    select
        m.ccode,
        m.year,
        {_org_counts("kind", "status", "")},
        {_org_counts("kind_alternative", "status", "__alt")},
        {_org_counts("kind", "status_published", "__uncorrected")},
        {_org_counts("kind_alternative", "status_published", "__alt__uncorrected")},
        string_agg(
            distinct replace(m.status_source, 'correction:', ''), ', '
            order by replace(m.status_source, 'correction:', '')
        ) filter (where m.status_source <> 'cow_igo') as corrections_applied
    from int_cow_igo_memberships_corrected as m
    inner join stg_seeds__security_igos as s on m.ioname = s.ioname_lower
    group by m.ccode, m.year
),

last_status as (
    -- Full memberships (status 1) in COW IGO's last year, after the corrections.
    select ccode, ioname, max(case when status = 1 then 1 else 0 end) as member
    from int_cow_igo_memberships_corrected
    where year = $igo_last
    group by ccode, ioname
),

after_source as (
    -- Documented membership changes after COW IGO's last year (seeds/corrections.csv, entity
    -- igo_membership_after_source): the status a state holds in a year the source does not
    -- cover. Against the status of the source's last year they give a change (+1 joined, -1
    -- left, 0 the source already had it) that the index adds to a carried-forward count
    -- (composite.carry_forward); the count marts never hold it. Of two rows for the same
    -- state, organisation and year the later first_year wins.
    select
        frame.ccode,
        frame.year,
        corrections.item as ioname,
        case when corrections.corrected_value = 1 then 1 else 0 end as status,
        case when corrections.corrected_value = 1 then 1 else 0 end
        - coalesce(last_status.member, 0) as change,
        -- the row's id where it changes the last roster (else the source already agrees)
        case
            when (corrections.corrected_value = 1) <> (coalesce(last_status.member, 0) = 1)
                then corrections.correction_id
        end as changed_by
    from frame
    inner join stg_seeds__corrections as corrections
        on frame.ccode = corrections.ccode
        and frame.year between corrections.first_year and corrections.last_year
    left join last_status
        on corrections.ccode = last_status.ccode and corrections.item = last_status.ioname
    where
        corrections.source_id = 'cow_igo'
        and corrections.entity = 'igo_membership_after_source'
        and corrections.field = 'status'
        and frame.year > $igo_last
    qualify row_number() over (
        partition by frame.ccode, frame.year, corrections.item
        order by corrections.first_year desc, corrections.correction_id
    ) = 1
),

after_source_changes as (
    select
        a.ccode,
        a.year,
        {", ".join(
            f"sum(a.change) filter (where s.{kind} = '{k}') as {c}{suffix}__after_source"
            for kind, suffix in (("kind", ""), ("kind_alternative", "__alt"))
            for k, c in (("military", "military_orgs"), ("dialogue", "dialogue_forums")))},
        string_agg(distinct a.changed_by, ', ' order by a.changed_by)
            as after_source_corrections
    from after_source as a
    inner join stg_seeds__security_igos as s on a.ioname = s.ioname_lower
    group by a.ccode, a.year
),

defence_rosters as (
    -- After ATOP's last year: the members, per year, of each organisation whose treaty binds
    -- every member to defend the others (seeds/security_igos.csv defence_obligation), as COW
    -- IGO's last roster (corrected) with the documented changes after it (after_source).
    select
        o.ioname,
        frame.year,
        frame.ccode,
        coalesce(a.status, o.member) as member,
        a.changed_by as correction_id
    from frame
    inner join (
        select ccode, ioname, max(member) as member
        from (
            select l.ccode, l.ioname, l.member
            from last_status as l
            union all
            select c.ccode, c.item, 0
            from stg_seeds__corrections as c
            where c.entity = 'igo_membership_after_source' and c.source_id = 'cow_igo'
        ) as states
        where ioname in (
            select ioname_lower from stg_seeds__security_igos where defence_obligation = 1
        )
        group by ccode, ioname
    ) as o on frame.ccode = o.ccode
    left join after_source as a
        on frame.ccode = a.ccode and frame.year = a.year and o.ioname = a.ioname
    where frame.year > $atop_last
),

treaty_partners as (
    -- The defence obligations a documented accession implies: between the new member and
    -- each other member of the year (only pairs with a documented change on one side, so a
    -- difference between COW IGO's roster and ATOP's coding is never read as a new pact).
    select distinct
        r1.ccode,
        r1.year,
        r2.ccode as partner,
        coalesce(r1.correction_id, r2.correction_id) as correction_id
    from defence_rosters as r1
    inner join defence_rosters as r2
        on r1.ioname = r2.ioname and r1.year = r2.year and r1.ccode <> r2.ccode
    where
        r1.member = 1 and r2.member = 1
        and coalesce(r1.correction_id, r2.correction_id) is not null
),

atop_last_given as (
    select ccode1 as ccode, ccode2 as partner
    from int_atop_dyad_years_corrected
    where year = $atop_last and atop_defense = 1
),

atop_last_received as (
    select ccode2 as ccode, ccode1 as partner
    from int_atop_dyad_years_corrected
    where year = $atop_last and atop_defense = 1
),

atop_after_source as (
    -- The treaty partners a state did not already have among its defence partners of ATOP's
    -- last year: added to the carried-forward counts (given and received alike: the treaties
    -- are mutual). A partner the state already had adds nothing.
    select
        t.ccode,
        t.year,
        count(distinct t.partner) filter (where g.partner is null)
            as alliance_defence_given__after_source,
        count(distinct t.partner) filter (where r.partner is null)
            as alliance_defence_received__after_source,
        string_agg(distinct t.correction_id, ', ' order by t.correction_id)
            filter (where g.partner is null or r.partner is null) as atop_after_source
    from treaty_partners as t
    left join atop_last_given as g on t.ccode = g.ccode and t.partner = g.partner
    left join atop_last_received as r on t.ccode = r.ccode and t.partner = r.partner
    group by t.ccode, t.year
),

final as (
    select
        frame.ccode,
        frame.year,
        months.months_member,
        {", ".join(
            f"case when frame.year between $atop_first and $atop_last "
            f"then coalesce({'received' if 'received' in c else 'given'}.{c}{s}, 0) end "
            f"as {c}{s}"
            for s in ("", "__uncorrected") for c in ATOP_COLUMNS)},
        {", ".join(
            f"case when frame.year between $igo_first and $igo_last "
            f"then coalesce(organisations.{c}{s}, 0) end as {c}{s}"
            for s in ORG_VARIANTS.values() for c in ORG_COLUMNS)},
        {", ".join(
            f"coalesce(after_source_changes.{c}{suffix}__after_source, 0) "
            f"as {c}{suffix}__after_source"
            for suffix in ("", "__alt") for c in ORG_COLUMNS)},
        coalesce(atop_after_source.alliance_defence_given__after_source, 0)
            as alliance_defence_given__after_source,
        coalesce(atop_after_source.alliance_defence_received__after_source, 0)
            as alliance_defence_received__after_source,
        nullif(array_to_string(list_sort(list_distinct(string_split(concat_ws(', ',
            organisations.corrections_applied, given.atop_corrections,
            after_source_changes.after_source_corrections,
            atop_after_source.atop_after_source), ', '))), ', '), '')
            as corrections_applied
    from frame
    left join months on frame.ccode = months.ccode and frame.year = months.year
    left join given on frame.ccode = given.ccode and frame.year = given.year
    left join received on frame.ccode = received.ccode and frame.year = received.year
    left join organisations
        on frame.ccode = organisations.ccode and frame.year = organisations.year
    left join after_source_changes
        on frame.ccode = after_source_changes.ccode and frame.year = after_source_changes.year
    left join atop_after_source
        on frame.ccode = atop_after_source.ccode and frame.year = atop_after_source.year
)

select * from final
"""


def derived_inputs(con: duckdb.DuckDBPyConnection, coverage: dict[str, range]) -> pd.DataFrame:
    """One row per mart_country_year row: months of membership and the v2 commitment counts."""
    return con.execute(
        f"select * from ({DERIVED}) order by ccode, year",
        {"atop_first": coverage["atop"].start, "atop_last": coverage["atop"].stop - 1,
         "igo_first": coverage["cow_igo"].start, "igo_last": coverage["cow_igo"].stop - 1},
    ).df()
