-- grain: one row per (ccode, year) of the frame inside troopdata's years (1950-2024)
-- key: ccode, year
-- us_troops_hosted: US active-duty military personnel in the state (the maximum of the year's
-- DoD reports); 0 when troopdata lists none. Contingency-operation personnel are not in the
-- DoD country reports (Uzbekistan shows 0-3 in 2001-2005 despite Karshi-Khanabad). The USA
-- itself is NULL: it does not host its own troops abroad.
with

frame as (
    select * from covered_country_years('us_troops')
),

troops as (
    select * from int_us_troops_country_years_checked
    where reject is null
),

final as (
    select
        frame.ccode,
        frame.year,
        case when frame.ccode <> 2 then coalesce(troops.troops_active_duty, 0) end
            as us_troops_hosted
    from frame
    left join troops on frame.ccode = troops.ccode and frame.year = troops.year
)

select * from final
