-- grain, key, columns and checks: sql/marts/mart_unga_alignment.toml
-- UN General Assembly alignment of every state with Russia, China and the USA, per year: the
-- state's ideal point, the distance to each power's, and the share of roll calls (all, and
-- the disarmament and nuclear ones) on which it voted as each power did. One home for what
-- the alignment report and the analysts' example (sql/examples/) both read. NULL, never 0,
-- where a source has no value (votes end 2019, ideal points 2024).
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
),

final as (
    select
        country_years.ccode,
        country_years.iso3,
        country_years.country,
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
        max(dyads.unga_agreement_nu) filter (where dyads.power = 'RUS') as agreement_nu_rus,
        max(dyads.unga_agreement_nu) filter (where dyads.power = 'CHN') as agreement_nu_chn,
        max(dyads.unga_agreement_nu) filter (where dyads.power = 'USA') as agreement_nu_usa,
        max(dyads.unga_votes_both) filter (where dyads.power = 'RUS') as votes_rus,
        max(dyads.unga_votes_both) filter (where dyads.power = 'CHN') as votes_chn,
        max(dyads.unga_votes_both) filter (where dyads.power = 'USA') as votes_usa
    from mart_country_year as country_years
    left join dyads
        on country_years.ccode = dyads.ccode and country_years.year = dyads.year
    where country_years.unga_ideal_point is not null or dyads.ccode is not null
    group by
        country_years.ccode, country_years.iso3, country_years.country, country_years.year,
        country_years.unga_ideal_point
)

select * from final
order by ccode, year
