-- grain: one row per IGO counted as a security organisation (seeds/security_igos.csv)
-- key: ioname_lower
-- kind: military (collective defence or an integrated military organisation) or dialogue (a
-- security-dialogue forum); kind_alternative is the alternative list the sensitivity uses.
-- defence_obligation: 1 when the founding treaty binds every member to defend the others
-- (NATO Art. 5, the Collective Security Treaty Art. 4, ...), so that a documented accession
-- after ATOP's end gives the new member a defence obligation with each other member
-- (pipelines/indices/inputs.py).
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
        lower(trim(kind_alternative)) as kind_alternative,
        coalesce(cast(defence_obligation as integer), 0) as defence_obligation
    from source
)

select * from final
