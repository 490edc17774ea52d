-- UN General Assembly alignment of every state with Russia, China and the USA, per year:
-- ideal-point distance and vote agreement (identical votes / roll calls both voted on).
with

powers as (
    select
        ccode,
        iso3
    from mart_countries
    where ccode in (2, 365, 710)
),

dyads as (
    select
        case when powers.ccode = dyads.ccode1 then dyads.ccode2 else dyads.ccode1 end as ccode,
        powers.iso3 as power,
        dyads.year,
        dyads.unga_ideal_point_distance,
        dyads.unga_agreement,
        dyads.unga_agreement_di,
        dyads.unga_agreement_nu,
        dyads.unga_votes_both
    from mart_dyad_year as dyads
    inner join powers on powers.ccode in (dyads.ccode1, dyads.ccode2)
    where dyads.unga_ideal_point_distance is not null or dyads.unga_votes_both > 0
)

select
    country_years.ccode,
    country_years.year,
    country_years.unga_ideal_point,
    max(dyads.unga_ideal_point_distance) filter (where dyads.power = 'RUS') as distance_rus,
    max(dyads.unga_ideal_point_distance) filter (where dyads.power = 'CHN') as distance_chn,
    max(dyads.unga_ideal_point_distance) filter (where dyads.power = 'USA') as distance_usa,
    max(dyads.unga_agreement) filter (where dyads.power = 'RUS') as agreement_rus,
    max(dyads.unga_agreement) filter (where dyads.power = 'CHN') as agreement_chn,
    max(dyads.unga_agreement) filter (where dyads.power = 'USA') as agreement_usa,
    max(dyads.unga_agreement_di) filter (where dyads.power = 'RUS') as agreement_di_rus,
    max(dyads.unga_agreement_di) filter (where dyads.power = 'CHN') as agreement_di_chn,
    max(dyads.unga_agreement_di) filter (where dyads.power = 'USA') as agreement_di_usa,
    max(dyads.unga_votes_both) filter (where dyads.power = 'USA') as votes_usa
from mart_country_year as country_years
left join dyads on country_years.ccode = dyads.ccode and country_years.year = dyads.year
where country_years.unga_ideal_point is not null or dyads.ccode is not null
group by country_years.ccode, country_years.year, country_years.unga_ideal_point
order by country_years.ccode, country_years.year
