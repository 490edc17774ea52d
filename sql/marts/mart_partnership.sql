-- grain, key, columns and checks: sql/marts/mart_partnership.toml
-- The four criteria of a strategic partnership (Tolipov; docs/methodology.md section 4):
-- comprehensiveness (mean intensity over the fixed layers of indices.toml, NULL unless every
-- one is covered), longevity, reciprocity and coherence, each on 0-1, and partnership_score
-- on 0-1 (NULL without comprehensiveness). Pairs enter from their first tie (an alliance, a
-- joint security IGO or a joint exercise); longevity counts only military ties (a strong
-- alliance obligation, a joint military organisation, a joint exercise). Joint exercises are
-- weighted 1 / (n - 1) for n participating states (exercise_intensity). Layers are NULL
-- outside their source's years. Reciprocity is the mean of the balance of directed ATOP
-- obligations and the balance of exercises each side hosted over the last 10 years (hosts from
-- MME coordinates), NULL where neither is observed; coherence uses UN voting agreement where
-- that source is in the build.
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
        cast(partnership.layer_alliance as integer) as layer_alliance,
        cast(partnership.layer_joint_military_org as integer) as layer_joint_military_org,
        cast(partnership.layer_joint_security_igo as integer) as layer_joint_security_igo,
        cast(partnership.layer_joint_igo as integer) as layer_joint_igo,
        cast(partnership.layer_joint_exercise as integer) as layer_joint_exercise,
        cast(partnership.layers_active as integer) as layers_active,
        cast(partnership.layers_covered as integer) as layers_covered,
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
        partnership.reciprocity,
        partnership.igo_jaccard,
        partnership.alliance_s_score,
        partnership.unga_agreement,
        partnership.coherence,
        cast(partnership.criteria_observed as integer) as criteria_observed,
        partnership.partnership_score,
        partnership.dyad_institutional,
        partnership.dyad_operational,
        partnership.dyad_gap
    from partnership
    inner join countries as first_country on partnership.ccode1 = first_country.ccode
    inner join countries as second_country on partnership.ccode2 = second_country.ccode
)

select * from final
order by ccode1, ccode2, year
