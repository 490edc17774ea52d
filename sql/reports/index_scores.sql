-- The cooperation index per country-year with its Monte-Carlo rank interval (1990-2010 only).
select
    scores.ccode,
    scores.year,
    scores.institutional,
    scores.operational,
    scores.composite,
    scores.symbolic_gap,
    scores.rank,
    scores.n_ranked,
    uncertainty.median_rank,
    uncertainty.rank_p05,
    uncertainty.rank_p95,
    uncertainty.n_draws,
    uncertainty.most_influential_choice
from mart_cooperation_index as scores
left join mart_index_uncertainty as uncertainty
    on scores.ccode = uncertainty.ccode and scores.year = uncertainty.year
order by scores.ccode, scores.year
