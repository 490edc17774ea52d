-- grain: one row per directed ATOP dyad-year (ccode1 gives the obligations to ccode2)
-- key: ccode1, ccode2, year
-- The accepted ATOP directed rows after the documented corrections of seeds/corrections.csv
-- (entity atop_obligation: the obligation `field` between the state ccode and each partner of
-- `item` (ccode list, '|'-separated) set to the corrected value in both directions, in the
-- correction's years). atop_defense_published keeps the published value; obligation_source
-- is 'atop' or 'correction:<correction_id>'. Used by the indices (docs/methodology.md 2.1);
-- the counts marts keep ATOP as published.
with

atop as (
    select * from int_atop_dyad_years_checked
    where reject is null
),

corrections as (
    select
        correction_id,
        ccode,
        cast(unnest(string_split(item, '|')) as integer) as partner,
        first_year,
        last_year,
        corrected_value
    from stg_seeds__corrections
    where source_id = 'atop' and entity = 'atop_obligation' and field = 'atop_defense'
),

both_directions as (
    select
        correction_id,
        ccode as ccode1,
        partner as ccode2,
        first_year,
        last_year,
        corrected_value
    from corrections
    union all
    select
        correction_id,
        partner as ccode1,
        ccode as ccode2,
        first_year,
        last_year,
        corrected_value
    from corrections
),

matched as (
    select
        atop.ccode1,
        atop.ccode2,
        atop.year,
        min(both_directions.correction_id) as correction_id,
        min(both_directions.corrected_value) as corrected_value
    from atop
    inner join both_directions
        on
            atop.ccode1 = both_directions.ccode1
            and atop.ccode2 = both_directions.ccode2
            and atop.year between both_directions.first_year and both_directions.last_year
    group by all
),

final as (
    select
        atop.ccode1,
        atop.ccode2,
        atop.year,
        coalesce(matched.corrected_value, atop.atop_defense) as atop_defense,
        atop.atop_offense,
        atop.atop_neutral,
        atop.atop_nonagg,
        atop.atop_consul,
        atop.atop_defense as atop_defense_published,
        case
            when matched.correction_id is null then 'atop'
            else 'correction:' || matched.correction_id
        end as obligation_source
    from atop
    left join matched
        on
            atop.ccode1 = matched.ccode1
            and atop.ccode2 = matched.ccode2
            and atop.year = matched.year
)

select * from final
