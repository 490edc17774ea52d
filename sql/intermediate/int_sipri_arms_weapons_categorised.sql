-- grain: one row per distinct SIPRI weapon description
-- key: weapon_description
-- not_null: weapon_description, weapon_category
-- SIPRI's export has a free-text weapon description (210 values) but not its 12 weapon
-- categories; the category is the first pattern of seeds/sipri_weapon_categories.csv, by
-- priority, that matches the lower-cased description (an approximation of SIPRI's own).
with

descriptions as (
    select distinct coalesce(weapon_description, '') as weapon_description
    from stg_sipri_arms__deals
),

patterns as (
    select * from stg_seeds__sipri_weapon_categories
),

matched as (
    select
        descriptions.weapon_description,
        patterns.category,
        row_number() over (
            partition by descriptions.weapon_description order by patterns.priority
        ) as match_rank
    from descriptions
    inner join patterns
        on regexp_matches(lower(descriptions.weapon_description), patterns.pattern)
),

final as (
    select
        weapon_description,
        category as weapon_category
    from matched
    where match_rank = 1
)

select * from final
