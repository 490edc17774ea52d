-- grain: one row per IGO counted as a security organisation (seeds/security_igos.csv)
-- key: ioname_lower
with

source as (
    select * from seed_security_igos
),

final as (
    select
        lower(trim(ioname_lower)) as ioname_lower,
        label,
        note
    from source
)

select * from final
