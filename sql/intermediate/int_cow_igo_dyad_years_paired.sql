-- grain: one row per undirected pair (ccode1 < ccode2) and year sharing a full IGO membership
-- key: ccode1, ccode2, year
-- The heavy step (about 20 million membership pairs on the COW data): a self-join in DuckDB.
with

full_memberships as (
    select
        memberships.ccode,
        memberships.year,
        memberships.ioname,
        security.ioname_lower is not null as is_security_igo
    from int_cow_igo_memberships_checked as memberships
    left join stg_seeds__security_igos as security
        on memberships.ioname = security.ioname_lower
    where memberships.reject is null and memberships.status = 1
),

paired as (
    select
        first_member.ccode as ccode1,
        second_member.ccode as ccode2,
        first_member.year,
        count(*) as joint_igo_full,
        count(*) filter (where first_member.is_security_igo) as joint_security_igo_full
    from full_memberships as first_member
    inner join full_memberships as second_member
        on
            first_member.year = second_member.year
            and first_member.ioname = second_member.ioname
            and first_member.ccode < second_member.ccode
    group by all
),

final as (
    select * from paired
)

select * from final
