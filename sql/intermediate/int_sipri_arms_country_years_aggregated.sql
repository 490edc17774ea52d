-- grain: one row per (ccode, year) of the frame inside SIPRI's arms years (1950-2025)
-- key: ccode, year
-- not_null: ccode, year, arms_imports_tiv, arms_exports_tiv, arms_n_suppliers, arms_n_recipients
-- 0 when the state received or supplied nothing that year; years outside the coverage have no
-- row, so they stay NULL in mart_country_year.
-- From the deliveries spread over their years (int_sipri_arms_deliveries_spread). Imports count
-- every supplier, exports every recipient, states or not (SIPRI's own country totals include
-- deliveries from unknown suppliers and to armed groups); the distinct counts count a state by
-- its code and any other party by its SIPRI name. arms_*_uncertain: some delivery that year has
-- a number delivered SIPRI marks '?'.
with

frame as (
    select * from covered_country_years('sipri_arms')
),

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

final as (
    select
        frame.ccode,
        frame.year,
        coalesce(imports.arms_imports_tiv, 0) as arms_imports_tiv,
        coalesce(exports.arms_exports_tiv, 0) as arms_exports_tiv,
        coalesce(imports.arms_n_suppliers, 0) as arms_n_suppliers,
        coalesce(exports.arms_n_recipients, 0) as arms_n_recipients,
        coalesce(imports.arms_n_state_suppliers, 0) as arms_n_state_suppliers,
        coalesce(exports.arms_n_state_recipients, 0) as arms_n_state_recipients,
        coalesce(imports.arms_imports_uncertain, false) as arms_imports_uncertain,
        coalesce(exports.arms_exports_uncertain, false) as arms_exports_uncertain
    from frame
    left join imports on frame.ccode = imports.ccode and frame.year = imports.year
    left join exports on frame.ccode = exports.ccode and frame.year = exports.year
)

select * from final
