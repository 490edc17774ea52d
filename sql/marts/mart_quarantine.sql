-- grain, key, columns and checks: sql/marts/mart_quarantine.toml
-- row_number is the record's position in its file (1 = first data row after the header).
with

rejects as (
    -- every *_checked model's rejects (a union the runner generates: pipelines/models.py)
    select * from int_checked_rejects_unioned
),

rules as (
    select
        rule,
        description
    from stg_seeds__quarantine_rules
    union all
    select
        rule,
        description
    from stg_seeds__register_rules
),

final as (
    select
        rejects.source_id,
        rejects.source_file,
        rejects.row_number,
        rejects.reject.rule,
        rejects.reject.column_name,
        rejects.reject.value as offending_value,
        coalesce(rules.description, rejects.reject.rule)
        || ': ' || rejects.reject.column_name
        || ' = ' || coalesce(rejects.reject.value, 'NULL') as reason
    from rejects
    left join rules on rejects.reject.rule = rules.rule
)

select * from final
order by source_id, source_file, row_number
