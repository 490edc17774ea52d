-- grain: one row per IGO in the COW IGO v3 list
-- key: ioname_lower
with

source as (
    select * from raw_cow_igo__igo_list
),

final as (
    select
        lower(trim(ioname_lower)) as ioname_lower,
        ioname,
        orgname,
        longorgname,
        as_int(ionum) as ionum,
        as_int(sdate) as founded_year,
        as_int(deaddate) as dissolved_year,
        as_int(political) = 1 as is_political,
        as_int(social) = 1 as is_social,
        as_int(economic) = 1 as is_economic
    from source
)

select * from final
