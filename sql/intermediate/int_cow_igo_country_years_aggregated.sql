-- grain: one row per (ccode, year) of the frame inside COW IGO's coverage years
-- key: ccode, year
-- not_null: ccode, year, igo_full, security_igos
-- 0 (and '' for the security IGO names) when a state has no membership that year; years
-- outside the coverage have no row, so they stay NULL in mart_country_year. Status -9
-- (unknown) is counted apart, never as membership.
with

frame as (
    select * from covered_country_years('cow_igo')
),

memberships as (
    select
        memberships.ccode,
        memberships.year,
        count(*) filter (where memberships.status = 1) as igo_full,
        count(*) filter (where memberships.status = 2) as igo_associate,
        count(*) filter (where memberships.status = 3) as igo_observer,
        count(*) filter (where memberships.status = -9) as igo_unknown_status,
        count(*) filter (
            where memberships.status = 1 and security.ioname_lower is not null
        ) as security_igo_full,
        string_agg(security.label, '; ' order by security.label) filter (
            where memberships.status = 1 and security.ioname_lower is not null
        ) as security_igos
    from int_cow_igo_memberships_checked as memberships
    left join stg_seeds__security_igos as security
        on memberships.ioname = security.ioname_lower
    where memberships.reject is null
    group by memberships.ccode, memberships.year
),

final as (
    select
        frame.ccode,
        frame.year,
        coalesce(memberships.igo_full, 0) as igo_full,
        coalesce(memberships.igo_associate, 0) as igo_associate,
        coalesce(memberships.igo_observer, 0) as igo_observer,
        coalesce(memberships.igo_unknown_status, 0) as igo_unknown_status,
        coalesce(memberships.security_igo_full, 0) as security_igo_full,
        coalesce(memberships.security_igos, '') as security_igos
    from frame
    left join memberships on frame.ccode = memberships.ccode and frame.year = memberships.year
)

select * from final
