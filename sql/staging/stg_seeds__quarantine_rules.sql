-- grain: one row per quarantine rule (seeds/quarantine_rules.csv)
-- key: rule
with

source as (
    select * from seed_quarantine_rules
),

final as (
    select
        rule,
        description
    from source
)

select * from final
