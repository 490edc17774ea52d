-- Partnership profiles per pair-year, from a pair's first military tie on.
select
    ccode1,
    ccode2,
    year,
    layer_alliance,
    layer_joint_security_igo,
    layer_joint_igo,
    layer_joint_exercise,
    layers_covered,
    comprehensiveness,
    longevity_years,
    first_tie_year,
    reciprocity,
    coherence,
    partnership_score
from mart_partnership
order by ccode1, ccode2, year
