-- grain, key, columns and checks: sql/marts/mart_corrections.toml
-- What each correction changes, the evidence and the citation, and how many source values it
-- changed or added in the build (values_changed; 0 means the source already agrees; NULL for
-- igo_membership_after_source, which changes no source value: it applies to the membership
-- counts the index carries forward past COW IGO's last year, docs/methodology.md 2.1). The
-- index marts name the corrections that entered a value (mart_cooperation_index
-- corrections_applied); the country pages list them.
with

corrections as (
    select * from stg_seeds__corrections
),

applied as (
    select
        replace(status_source, 'correction:', '') as correction_id,
        count(*) filter (
            where status_published is null or status_published <> status
        ) as values_changed
    from int_cow_igo_memberships_corrected
    where status_source <> 'cow_igo'
    group by all
    union all
    select
        replace(obligation_source, 'correction:', '') as correction_id,
        count(*) filter (where atop_defense_published <> atop_defense) as values_changed
    from int_atop_dyad_years_corrected
    where obligation_source <> 'atop'
    group by all
),

countries as (
    select * from mart_countries
),

final as (
    select
        corrections.correction_id,
        corrections.source_id,
        corrections.entity,
        corrections.ccode,
        countries.country,
        corrections.item,
        corrections.first_year,
        corrections.last_year,
        corrections.field,
        corrections.corrected_value,
        corrections.evidence,
        corrections.citation,
        case
            when corrections.entity <> 'igo_membership_after_source'
                then coalesce(applied.values_changed, 0)
        end as values_changed
    from corrections
    left join applied on corrections.correction_id = applied.correction_id
    left join countries on corrections.ccode = countries.ccode
)

select * from final
order by correction_id
