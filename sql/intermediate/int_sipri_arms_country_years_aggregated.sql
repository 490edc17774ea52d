-- grain: one row per (ccode, year) in which a COW member received or supplied a SIPRI delivery
-- key: ccode, year
-- From the deliveries spread over their years (int_sipri_arms_deliveries_spread). Imports count
-- every supplier, exports every recipient, states or not (SIPRI's own country totals include
-- deliveries from unknown suppliers and to armed groups); the distinct counts count a state by
-- its code and any other party by its SIPRI name. arms_*_uncertain: some delivery that year has
-- a number delivered SIPRI marks '?'.
with

deliveries as (
    select * from int_sipri_arms_deliveries_spread
),

imports as (
    select
        recipient_ccode as ccode,
        year,
        sum(tiv_delivered) as arms_imports_tiv,
        count(distinct coalesce(cast(supplier_ccode as varchar), supplier)) as arms_n_suppliers,
        count(distinct supplier_ccode) filter (where is_state_dyad) as arms_n_state_suppliers,
        bool_or(number_delivered_uncertain) as arms_imports_uncertain
    from deliveries
    where recipient_kind = 'state' and recipient_is_member
    group by recipient_ccode, year
),

exports as (
    select
        supplier_ccode as ccode,
        year,
        sum(tiv_delivered) as arms_exports_tiv,
        count(distinct coalesce(cast(recipient_ccode as varchar), recipient)) as arms_n_recipients,
        count(distinct recipient_ccode) filter (where is_state_dyad) as arms_n_state_recipients,
        bool_or(number_delivered_uncertain) as arms_exports_uncertain
    from deliveries
    where supplier_kind = 'state' and supplier_is_member
    group by supplier_ccode, year
),

country_years as (
    select
        ccode,
        year
    from imports
    union
    select
        ccode,
        year
    from exports
),

final as (
    select
        country_years.ccode,
        country_years.year,
        coalesce(imports.arms_imports_tiv, 0) as arms_imports_tiv,
        coalesce(exports.arms_exports_tiv, 0) as arms_exports_tiv,
        coalesce(imports.arms_n_suppliers, 0) as arms_n_suppliers,
        coalesce(exports.arms_n_recipients, 0) as arms_n_recipients,
        coalesce(imports.arms_n_state_suppliers, 0) as arms_n_state_suppliers,
        coalesce(exports.arms_n_state_recipients, 0) as arms_n_state_recipients,
        coalesce(imports.arms_imports_uncertain, false) as arms_imports_uncertain,
        coalesce(exports.arms_exports_uncertain, false) as arms_exports_uncertain
    from country_years
    left join imports
        on country_years.ccode = imports.ccode and country_years.year = imports.year
    left join exports
        on country_years.ccode = exports.ccode and country_years.year = exports.year
)

select * from final
