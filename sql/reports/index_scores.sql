-- The cooperation index per country-year (current and core composites) with its Monte-Carlo
-- rank interval, the indicator set of the year, imputed values and corrections.
select
    scores.ccode,
    scores.year,
    scores.institutional,
    scores.operational,
    scores.composite,
    scores.pillar_gap,
    scores.symbolic_share,
    scores.commitments,
    scores.commitments_without_practice,
    scores.core_composite,
    scores.core_rank,
    scores.core_n_ranked,
    scores.indicator_set,
    scores.imputed_indicators,
    scores.estimated_indicators,
    scores.effort,
    scores.corrections_applied,
    scores.rank,
    scores.n_ranked,
    uncertainty.median_rank,
    uncertainty.rank_p05,
    uncertainty.rank_p95,
    uncertainty.nominal_outside_interval,
    uncertainty.n_draws,
    uncertainty.most_influential_choice
from mart_cooperation_index as scores
left join mart_index_uncertainty as uncertainty
    on scores.ccode = uncertainty.ccode and scores.year = uncertainty.year
order by scores.ccode, scores.year
