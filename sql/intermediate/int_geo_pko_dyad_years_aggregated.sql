-- grain: one row per pair of system members (ccode1 < ccode2) per year inside Geo-PKO's years
-- key: ccode1, ccode2, year
-- pko_codeployed is 1 when both sent troops to at least one same UN mission that year;
-- pko_shared_missions counts those missions, pko_shared_locations the deployment sites where
-- both were shown. 0 when they shared none; years outside 1994-2024 have no row (NULL).
with

pairs as (
    select * from covered_dyad_years('geo_pko')
),

records as (
    select * from int_geo_pko_codeployments_paired
),

final as (
    select
        pairs.ccode1,
        pairs.ccode2,
        pairs.year,
        cast(records.ccode1 is not null as integer) as pko_codeployed,
        coalesce(records.shared_missions, 0) as pko_shared_missions,
        coalesce(records.shared_locations, 0) as pko_shared_locations
    from pairs
    left join records
        on
            pairs.ccode1 = records.ccode1
            and pairs.ccode2 = records.ccode2
            and pairs.year = records.year
)

select * from final
