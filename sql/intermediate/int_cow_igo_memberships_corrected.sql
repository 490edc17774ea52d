-- grain: one row per (ccode, ioname, year) with a COW IGO membership record or a correction
-- key: ccode, ioname, year
-- COW IGO memberships after the documented corrections of seeds/corrections.csv (entity
-- igo_membership, field status). status_source is 'cow_igo' for a value as published and
-- 'correction:<correction_id>' for a corrected one; the corrected status replaces the
-- published one (0 = not a member), and a correction for a year COW does not list adds a row.
with

memberships as (
    select
        ccode,
        lower(ioname) as ioname,
        year,
        status
    from int_cow_igo_memberships_checked
    where reject is null
),

corrections as (
    select
        correction_id,
        ccode,
        item as ioname,
        corrected_value,
        unnest(generate_series(first_year, last_year)) as year
    from stg_seeds__corrections
    where source_id = 'cow_igo' and entity = 'igo_membership' and field = 'status'
),

final as (
    select
        coalesce(memberships.ccode, corrections.ccode) as ccode,
        coalesce(memberships.ioname, corrections.ioname) as ioname,
        coalesce(memberships.year, corrections.year) as year,
        coalesce(corrections.corrected_value, memberships.status) as status,
        memberships.status as status_published,
        case
            when corrections.correction_id is null then 'cow_igo'
            else 'correction:' || corrections.correction_id
        end as status_source
    from memberships
    full outer join corrections
        on
            memberships.ccode = corrections.ccode
            and memberships.ioname = corrections.ioname
            and memberships.year = corrections.year
)

select * from final
