-- grain, key, columns and checks: sql/marts/mart_partnership.toml
-- The four criteria of a strategic partnership (Tolipov; docs/methodology.md section 4), each
-- on 0-1: comprehensiveness (mean layer intensity: alliance, joint military organisation,
-- participant-weighted joint exercises, SIPRI arms either way over 5 years on a log scale),
-- longevity (consecutive years with a military tie), reciprocity (balance of ATOP obligations,
-- of exercises each side hosted and of arms each way weighted by two-wayness, 10 years) and
-- coherence (UN voting: ideal points, all votes, disarmament and nuclear votes).
-- core_partnership_score: every layer of the fixed set observed (1980-2010 on the shipped data);
-- partnership_score (current): the layers covered that year (layers_used; treaty layers carried
-- past their source's end are listed in imputed_parts), so it reaches the latest year.
-- Pairs enter from their first tie (alliance, joint security IGO, joint exercise or arms).
with

partnership as (
    select * from py_partnership
),

countries as (
    select * from mart_countries
),

final as (
    select
        partnership.ccode1,
        partnership.ccode2,
        first_country.iso3 as iso3_1,
        second_country.iso3 as iso3_2,
        first_country.country as country1,
        second_country.country as country2,
        partnership.year,
        cast(partnership.alliance_level as integer) as alliance_level,
        partnership.joint_military_orgs,
        partnership.exercise_intensity,
        partnership.arms_tiv_window_mean,
        partnership.arms_intensity,
        cast(partnership.layer_alliance as integer) as layer_alliance,
        cast(partnership.layer_joint_military_org as integer) as layer_joint_military_org,
        cast(partnership.layer_joint_security_igo as integer) as layer_joint_security_igo,
        cast(partnership.layer_joint_igo as integer) as layer_joint_igo,
        cast(partnership.layer_joint_exercise as integer) as layer_joint_exercise,
        cast(partnership.layer_arms as integer) as layer_arms,
        cast(partnership.layers_active as integer) as layers_active,
        cast(partnership.layers_covered as integer) as layers_covered,
        cast(partnership.layers_used as varchar) as layers_used,
        partnership.core_comprehensiveness,
        partnership.comprehensiveness,
        cast(partnership.longevity_years as integer) as longevity_years,
        cast(partnership.first_tie_year as integer) as first_tie_year,
        cast(partnership.tie_age_years as integer) as tie_age_years,
        partnership.longevity,
        cast(partnership.obligations_given_1to2 as integer) as obligations_given_1to2,
        cast(partnership.obligations_given_2to1 as integer) as obligations_given_2to1,
        partnership.hosted_by_1,
        partnership.hosted_by_2,
        partnership.obligation_balance,
        partnership.hosting_balance,
        partnership.arms_sent_1to2,
        partnership.arms_sent_2to1,
        partnership.arms_weight,
        partnership.arms_balance,
        partnership.reciprocity,
        cast(partnership.reciprocity_parts as varchar) as reciprocity_parts,
        cast(partnership.imputed_parts as varchar) as imputed_parts,
        partnership.igo_jaccard,
        partnership.alliance_s_score,
        partnership.unga_ideal_point_distance,
        partnership.ideal_point_similarity,
        partnership.unga_agreement,
        partnership.unga_agreement_s,
        partnership.unga_security_votes,
        partnership.unga_security_agreement,
        partnership.coherence,
        cast(partnership.coherence_parts as varchar) as coherence_parts,
        cast(partnership.criteria_observed as integer) as criteria_observed,
        partnership.partnership_score,
        partnership.core_partnership_score,
        partnership.dyad_institutional,
        partnership.dyad_operational,
        partnership.dyad_gap
    from partnership
    inner join countries as first_country on partnership.ccode1 = first_country.ccode
    inner join countries as second_country on partnership.ccode2 = second_country.ccode
)

select * from final
order by ccode1, ccode2, year
