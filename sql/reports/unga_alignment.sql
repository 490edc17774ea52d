-- UN General Assembly alignment of every state with Russia, China and the USA, per year:
-- ideal-point distance and vote agreement (identical votes / roll calls both voted on).
-- Computed once, in mart_unga_alignment.
select
    ccode,
    year,
    unga_ideal_point,
    distance_rus,
    distance_chn,
    distance_usa,
    agreement_rus,
    agreement_chn,
    agreement_usa,
    agreement_di_rus,
    agreement_di_chn,
    agreement_di_usa,
    votes_usa
from mart_unga_alignment
order by ccode, year
