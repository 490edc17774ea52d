-- grain: one row per undirected pair (ccode1 < ccode2) and year in which both voted on at
-- least one UNGA roll call
-- key: ccode1, ccode2, year
-- Denominator: the roll calls on which both cast a recorded vote (yes, no or abstain);
-- absences are not votes. votes_same counts the identical votes (3 categories); agree_s is
-- the mean of 1 - |v1 - v2| / 2 with yes 1, abstain 2, no 3, so an abstention against a yes or
-- a no counts half (Voeten's agree3un, the 3-category S-score). _di (arms control and
-- disarmament) and _nu (nuclear weapons) restrict the roll calls to those with that issue.
-- About 70 million (roll call, voting pair) rows stream through one hash aggregate: ~2.5 s of
-- CPU; a bit-string variant (a few ANDs per pair-year) measured the same, so the plain join
-- stays (docs/alignment_and_presence.md).
with

votes as (
    select
        rcid,
        year,
        ccode,
        vote_code
    from int_unga_votes_checked
    where reject is null
),

issues as (
    select
        rcid,
        bool_or(issue_code = 'di') as is_di,
        bool_or(issue_code = 'nu') as is_nu
    from int_unga_roll_call_issues_checked
    where reject is null
    group by rcid
),

roll_calls as (
    select distinct
        rcid,
        year
    from votes
),

-- each year's roll calls numbered 1..n, the positions of the bit strings
positions as (
    select
        roll_calls.rcid,
        roll_calls.year,
        row_number() over (partition by roll_calls.year order by roll_calls.rcid) as position,
        coalesce(issues.is_di, false) as is_di,
        coalesce(issues.is_nu, false) as is_nu
    from roll_calls
    left join issues on roll_calls.rcid = issues.rcid
),

state_years as (
    select distinct
        ccode,
        year
    from votes
),

grid as (
    select
        state_years.ccode,
        state_years.year,
        positions.position,
        positions.is_di,
        positions.is_nu,
        votes.vote_code
    from state_years
    inner join positions on state_years.year = positions.year
    left join votes
        on
            positions.rcid = votes.rcid
            and state_years.ccode = votes.ccode
),

bits as (
    select
        ccode,
        year,
        cast(string_agg(if(vote_code = 1, '1', '0'), '' order by position) as bit) as yes_bits,
        cast(string_agg(if(vote_code = 2, '1', '0'), '' order by position) as bit) as abstain_bits,
        cast(string_agg(if(vote_code = 3, '1', '0'), '' order by position) as bit) as no_bits,
        cast(string_agg(if(is_di, '1', '0'), '' order by position) as bit) as di_mask,
        cast(string_agg(if(is_nu, '1', '0'), '' order by position) as bit) as nu_mask
    from grid
    group by ccode, year
),

pairs as (
    select
        first_state.ccode as ccode1,
        second_state.ccode as ccode2,
        first_state.year,
        first_state.di_mask,
        first_state.nu_mask,
        first_state.yes_bits & second_state.yes_bits as yes_yes,
        first_state.abstain_bits & second_state.abstain_bits as abstain_abstain,
        first_state.no_bits & second_state.no_bits as no_no,
        (first_state.yes_bits | first_state.abstain_bits | first_state.no_bits)
        & (second_state.yes_bits | second_state.abstain_bits | second_state.no_bits) as both_voted,
        (first_state.abstain_bits & (second_state.yes_bits | second_state.no_bits))
        | (second_state.abstain_bits & (first_state.yes_bits | first_state.no_bits)) as half_agree
    from bits as first_state
    inner join bits as second_state
        on first_state.year = second_state.year and first_state.ccode < second_state.ccode
),

counted as (
    select
        ccode1,
        ccode2,
        year,
        bit_count(both_voted) as votes_both,
        bit_count(yes_yes) + bit_count(abstain_abstain) + bit_count(no_no) as votes_same,
        bit_count(half_agree) as votes_half,
        bit_count(both_voted & di_mask) as votes_both_di,
        bit_count(yes_yes & di_mask) + bit_count(abstain_abstain & di_mask)
        + bit_count(no_no & di_mask) as votes_same_di,
        bit_count(both_voted & nu_mask) as votes_both_nu,
        bit_count(yes_yes & nu_mask) + bit_count(abstain_abstain & nu_mask)
        + bit_count(no_no & nu_mask) as votes_same_nu
    from pairs
),

final as (
    select
        ccode1,
        ccode2,
        year,
        votes_both,
        votes_same,
        (votes_same + 0.5 * votes_half) / votes_both as agree_s,
        votes_both_di,
        votes_same_di,
        votes_both_nu,
        votes_same_nu
    from counted
    where votes_both > 0
)

select * from final
