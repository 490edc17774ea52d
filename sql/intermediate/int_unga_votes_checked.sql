-- grain: one row per record of the unvotes vote file, valid or rejected, with its dated ccode
-- key: row_number
-- The ISO2 code is resolved to COW on the roll call's date (seeds/iso2_ccode_periods.csv;
-- entities without an ISO2 by their name). A vote on an unknown roll call, an unresolvable
-- code, a state that is not a system member that year, or a second vote of one state on one
-- roll call is quarantined.
with

votes as (
    select * from stg_unga__votes
),

roll_calls as (
    select * from int_unga_roll_calls_checked
    where reject is null
),

periods as (
    select * from stg_seeds__iso2_ccode_periods
),

dated as (
    select
        votes.*,
        roll_calls.vote_date,
        roll_calls.year
    from votes
    left join roll_calls on votes.rcid = roll_calls.rcid
),

resolved as (
    select
        dated.*,
        periods.ccode
    from dated
    left join periods
        on
            dated.country_code = periods.iso2
            and (periods.country = '' or dated.country = periods.country)
            and dated.vote_date between periods.valid_from and periods.valid_to
),

keyed as (
    select
        *,
        row_number() over (
            partition by rcid, ccode order by row_number
        ) as key_occurrence
    from resolved
),

checked as (
    select
        keyed.* exclude (reject),
        coalesce(
            keyed.reject,
            reject_if(keyed.vote_date is null, 'unknown_roll_call', 'rcid', keyed.rcid),
            reject_if(
                keyed.ccode is null, 'unresolved_iso2', 'country_code, country',
                concat_ws(', ', keyed.country_code, keyed.country)
            ),
            reject_not_member(keyed.ccode, keyed.year, 'ccode, year'),
            reject_if(
                keyed.key_occurrence > 1, 'duplicate_key', 'rcid, ccode',
                concat_ws(', ', keyed.rcid, keyed.ccode)
            )
        ) as reject
    from keyed
),

final as (
    select * exclude (key_occurrence) from checked
)

select * from final
