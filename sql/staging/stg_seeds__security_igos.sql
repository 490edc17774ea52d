-- grain: one row per IGO counted as a security organisation (seeds/security_igos.csv)
-- key: ioname_lower
-- kind: military (collective defence or an integrated military organisation) or dialogue (a
-- security-dialogue forum); kind_alternative is the alternative list the sensitivity uses.
with

source as (
    select * from seed_security_igos
),

final as (
    select
        lower(trim(ioname_lower)) as ioname_lower,
        label,
        note,
        lower(trim(kind)) as kind,
        lower(trim(kind_alternative)) as kind_alternative
    from source
)

select * from final
