-- grain: one row per record of the ATOP v5.1 directed dyad-year file, valid or rejected
-- key: row_number
-- Rows with a non-null `reject` are quarantined downstream, never counted.
with

source as (
    select * from raw_atop__directed_dyad_year
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        ccode1 as ccode1_text,
        ccode2 as ccode2_text,
        year as year_text,
        atop_defense as atop_defense_text,
        atop_offense as atop_offense_text,
        atop_neutral as atop_neutral_text,
        atop_nonagg as atop_nonagg_text,
        atop_consul as atop_consul_text,
        as_int(ccode1) as ccode1,
        as_int(ccode2) as ccode2,
        as_int(year) as year,
        as_int(atop_defense) as atop_defense,
        as_int(atop_offense) as atop_offense,
        as_int(atop_neutral) as atop_neutral,
        as_int(atop_nonagg) as atop_nonagg,
        as_int(atop_consul) as atop_consul
    from source
),

keyed as (
    select
        *,
        row_number() over (
            partition by ccode1, ccode2, year order by row_number
        ) as key_occurrence
    from typed
),

checked as (
    select
        *,
        coalesce(
            reject_if(ccode1_text is null, 'null_key', 'ccode1', ccode1_text),
            reject_if(ccode2_text is null, 'null_key', 'ccode2', ccode2_text),
            reject_if(year_text is null, 'null_key', 'year', year_text),
            reject_if(ccode1 is null, 'not_integer', 'ccode1', ccode1_text),
            reject_if(ccode2 is null, 'not_integer', 'ccode2', ccode2_text),
            reject_if(year is null, 'not_integer', 'year', year_text),
            reject_if(ccode1 = ccode2, 'self_dyad', 'ccode2', ccode2_text),
            reject_if(
                atop_defense is null or atop_defense not in (0, 1),
                'flag_not_0_1', 'atop_defense', atop_defense_text
            ),
            reject_if(
                atop_offense is null or atop_offense not in (0, 1),
                'flag_not_0_1', 'atop_offense', atop_offense_text
            ),
            reject_if(
                atop_neutral is null or atop_neutral not in (0, 1),
                'flag_not_0_1', 'atop_neutral', atop_neutral_text
            ),
            reject_if(
                atop_nonagg is null or atop_nonagg not in (0, 1),
                'flag_not_0_1', 'atop_nonagg', atop_nonagg_text
            ),
            reject_if(
                atop_consul is null or atop_consul not in (0, 1),
                'flag_not_0_1', 'atop_consul', atop_consul_text
            ),
            reject_if(
                key_occurrence > 1, 'duplicate_key', 'ccode1, ccode2, year',
                concat_ws(', ', ccode1_text, ccode2_text, year_text)
            )
        ) as reject
    from keyed
),

final as (
    select
        source_id,
        source_file,
        row_number,
        ccode1,
        ccode2,
        year,
        atop_defense,
        atop_offense,
        atop_neutral,
        atop_nonagg,
        atop_consul,
        reject
    from checked
)

select * from final
