-- grain, key, columns and checks: sql/marts/mart_arms_transfers.toml
-- Directed: the supplier delivers to the recipient. tiv_delivered spreads each deal's TIV
-- evenly over its delivery years (docs/sipri.md), 1950-2025; tiv_sipri_exact is SIPRI's own
-- yearly value to 2021 (NULL after, 0 when SIPRI has none that year); their agreement is in
-- mart_arms_tiv_agreement. Orders count deals in their year of order from 1950, pending
-- ones included. Parties that are not states or not system members that year are in
-- mart_arms_non_state_transfers.
with

dyad_years as (
    select * from int_sipri_arms_directed_dyad_years_aggregated
),

countries as (
    select * from int_cow_states_countries_described
),

final as (
    select
        dyad_years.supplier_ccode,
        dyad_years.recipient_ccode,
        supplier.country as supplier,
        recipient.country as recipient,
        dyad_years.year,
        dyad_years.tiv_delivered,
        dyad_years.tiv_delivered_uncertain,
        dyad_years.n_deals_delivering,
        dyad_years.weapon_categories_delivered,
        dyad_years.tiv_sipri_exact,
        dyad_years.n_orders,
        dyad_years.n_orders_pending,
        dyad_years.tiv_ordered,
        dyad_years.n_orders_without_tiv,
        dyad_years.orders_uncertain,
        dyad_years.weapon_categories_ordered
    from dyad_years
    inner join countries as supplier on dyad_years.supplier_ccode = supplier.ccode
    inner join countries as recipient on dyad_years.recipient_ccode = recipient.ccode
)

select * from final
order by supplier_ccode, recipient_ccode, year
