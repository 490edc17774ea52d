-- grain: one row per pair of system members (ccode1 < ccode2) per year inside the UNGA
-- source's years (1946-2024)
-- key: ccode1, ccode2, year
-- unga_ideal_point_distance = |ideal point 1 - ideal point 2| (idealpointfp), NULL when either
-- has no estimate. The vote columns cover the years of the roll-call file (sessions 1-74,
-- 1946-2019; NULL after): unga_votes_both counts the roll calls both voted on (yes, no or
-- abstain; 0 when none), the denominator of unga_agreement (share of identical votes) and
-- unga_agreement_s (abstention against yes or no counts half); NULL when the denominator is 0.
-- _di and _nu restrict to the arms-control/disarmament and the nuclear-weapons roll calls.
with

pairs as (
    select * from covered_dyad_years('unga')
),

vote_years as (
    select
        min(year) as first_year,
        max(year) as last_year
    from int_unga_roll_calls_checked
    where reject is null
),

ideal_points as (
    select * from int_unga_ideal_points_checked
    where reject is null
),

agreement as (
    select * from int_unga_vote_agreement_paired
),

joined as (
    select
        pairs.ccode1,
        pairs.ccode2,
        pairs.year,
        pairs.year between vote_years.first_year and vote_years.last_year as in_votes,
        abs(first_point.idealpointfp - second_point.idealpointfp) as ideal_point_distance,
        agreement.votes_both,
        agreement.votes_same,
        agreement.agree_s,
        agreement.votes_both_di,
        agreement.votes_same_di,
        agreement.votes_both_nu,
        agreement.votes_same_nu
    from pairs
    cross join vote_years
    left join ideal_points as first_point
        on pairs.ccode1 = first_point.ccode and pairs.year = first_point.year
    left join ideal_points as second_point
        on pairs.ccode2 = second_point.ccode and pairs.year = second_point.year
    left join agreement
        on
            pairs.ccode1 = agreement.ccode1
            and pairs.ccode2 = agreement.ccode2
            and pairs.year = agreement.year
),

final as (
    select
        ccode1,
        ccode2,
        year,
        round(ideal_point_distance, 4) as unga_ideal_point_distance,
        case when in_votes then coalesce(votes_both, 0) end as unga_votes_both,
        round(votes_same / nullif(votes_both, 0), 4) as unga_agreement,
        round(agree_s, 4) as unga_agreement_s,
        case when in_votes then coalesce(votes_both_di, 0) end as unga_votes_both_di,
        round(votes_same_di / nullif(votes_both_di, 0), 4) as unga_agreement_di,
        case when in_votes then coalesce(votes_both_nu, 0) end as unga_votes_both_nu,
        round(votes_same_nu / nullif(votes_both_nu, 0), 4) as unga_agreement_nu
    from joined
)

select * from final
