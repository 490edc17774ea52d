-- grain: one row per rule that only the register applies (seeds/register_rules.csv)
-- key: rule
-- The register also uses rules of seeds/quarantine_rules.csv (null_key, not_integer,
-- not_a_date, negative_count, self_dyad, not_system_member); names never repeat across the two.
with

source as (
    select * from seed_register_rules
),

final as (
    select
        rule,
        description
    from source
)

select * from final
