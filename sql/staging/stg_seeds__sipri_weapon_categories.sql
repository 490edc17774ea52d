-- grain: one row per pattern of seeds/sipri_weapon_categories.csv (first match by priority wins)
-- key: priority
with

source as (
    select * from seed_sipri_weapon_categories
),

final as (
    select
        cast(priority as integer) as priority,
        pattern,
        category,
        note
    from source
)

select * from final
