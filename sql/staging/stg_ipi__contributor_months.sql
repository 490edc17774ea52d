-- grain: one row per record of the IPI contributor-month file, valid or rejected
-- key: row_number
-- An empty personnel cell means none reported that month: 0.
with

source as (
    select * from raw_ipi__contributor_month
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        date as date_text,
        troops as troops_text,
        police as police_text,
        experts as experts_text,
        try_cast(date as date) as month_end,
        trim(contributor) as contributor,
        upper(trim(iso3)) as iso3,
        as_int(ccode) as file_ccode,
        coalesce(as_int(troops), case when troops is null then 0 end) as troops,
        coalesce(as_int(police), case when police is null then 0 end) as police,
        coalesce(as_int(experts), case when experts is null then 0 end) as experts
    from source
),

keyed as (
    select
        *,
        row_number() over (partition by iso3, month_end order by row_number) as key_occurrence
    from typed
),

checked as (
    select
        *,
        coalesce(
            reject_if(date_text is null, 'null_key', 'date', date_text),
            reject_if(iso3 is null or iso3 = '', 'null_key', 'iso3', iso3),
            reject_if(month_end is null, 'not_a_date', 'date', date_text),
            reject_if(troops is null, 'not_integer', 'troops', troops_text),
            reject_if(police is null, 'not_integer', 'police', police_text),
            reject_if(experts is null, 'not_integer', 'experts', experts_text),
            reject_if(troops < 0, 'negative_count', 'troops', troops_text),
            reject_if(police < 0, 'negative_count', 'police', police_text),
            reject_if(experts < 0, 'negative_count', 'experts', experts_text),
            -- The largest monthly contribution on record is about 10,000 (IPI, 1990-2014);
            -- 50,000 from one country in one month is a data error, not a deployment.
            reject_if(
                troops + police + experts > 50000, 'implausible_count', 'troops + police + experts',
                troops + police + experts
            ),
            reject_if(
                key_occurrence > 1, 'duplicate_key', 'iso3, date', concat_ws(', ', iso3, date_text)
            )
        ) as reject
    from keyed
),

final as (
    select
        source_id,
        source_file,
        row_number,
        month_end,
        year(month_end) as year,
        month(month_end) as month,
        contributor,
        iso3,
        file_ccode,
        troops,
        police,
        experts,
        troops + police + experts as personnel,
        reject
    from checked
)

select * from final
