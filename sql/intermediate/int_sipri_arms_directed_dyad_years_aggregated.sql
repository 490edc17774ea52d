-- grain: one row per (supplier ccode, recipient ccode, year) with any SIPRI delivery, order or
-- exact TIV between two COW members
-- key: supplier_ccode, recipient_ccode, year
-- tiv_delivered: the trade register's deals spread evenly over their delivery years
-- (int_sipri_arms_deliveries_spread), 1950-2025. tiv_sipri_exact: SIPRI's own yearly value
-- (sipri_tiv), 0 when that file has no row, NULL after its last year (2021). Orders are
-- counted in their year of order (from 1950, the register's first delivery year), pending ones
-- included. A value flagged '?' by SIPRI makes *_uncertain true for the dyad-year.
with

deliveries as (
    select * from int_sipri_arms_deliveries_spread
    where is_state_dyad
),

deals as (
    select * from int_sipri_arms_deals_checked
    where reject is null and is_state_deal
),

categories as (
    select * from int_sipri_arms_weapons_categorised
),

exact as (
    select * from int_sipri_tiv_checked
    where reject is null and is_state_dyad
),

state_years as (
    select * from int_cow_states_years_expanded
),

arms_coverage as (
    select first_year from stg_sources__coverage
    where source_id = 'sipri_arms'
),

tiv_coverage as (
    select last_year from stg_sources__coverage
    where source_id = 'sipri_tiv'
),

delivered as (
    select
        deliveries.supplier_ccode,
        deliveries.recipient_ccode,
        deliveries.year,
        sum(deliveries.tiv_delivered) as tiv_delivered,
        bool_or(deliveries.number_delivered_uncertain) as tiv_delivered_uncertain,
        count(*) as n_deals_delivering,
        string_agg(distinct categories.weapon_category, '; ' order by categories.weapon_category)
            as weapon_categories_delivered
    from deliveries
    left join categories on coalesce(deliveries.weapon_description, '') = categories.weapon_description
    group by deliveries.supplier_ccode, deliveries.recipient_ccode, deliveries.year
),

ordered as (
    select
        deals.supplier_ccode,
        deals.recipient_ccode,
        deals.order_year as year,
        count(*) as n_orders,
        count(*) filter (where deals.is_pending) as n_orders_pending,
        sum(deals.tiv_total_order) as tiv_ordered,
        count(*) filter (where deals.tiv_total_order is null) as n_orders_without_tiv,
        bool_or(deals.order_year_uncertain or deals.number_ordered_uncertain) as orders_uncertain,
        string_agg(distinct categories.weapon_category, '; ' order by categories.weapon_category)
            as weapon_categories_ordered
    from deals
    inner join state_years as supplier_member
        on deals.supplier_ccode = supplier_member.ccode and deals.order_year = supplier_member.year
    inner join state_years as recipient_member
        on
            deals.recipient_ccode = recipient_member.ccode
            and deals.order_year = recipient_member.year
    left join categories on coalesce(deals.weapon_description, '') = categories.weapon_description
    cross join arms_coverage
    where deals.order_year >= arms_coverage.first_year
    group by deals.supplier_ccode, deals.recipient_ccode, deals.order_year
),

exact_values as (
    select
        supplier_ccode,
        recipient_ccode,
        year,
        sum(tiv_delivered) as tiv_sipri_exact
    from exact
    group by supplier_ccode, recipient_ccode, year
),

dyad_years as (
    select
        supplier_ccode,
        recipient_ccode,
        year
    from delivered
    union
    select
        supplier_ccode,
        recipient_ccode,
        year
    from ordered
    union
    select
        supplier_ccode,
        recipient_ccode,
        year
    from exact_values
),

final as (
    select
        dyad_years.supplier_ccode,
        dyad_years.recipient_ccode,
        dyad_years.year,
        coalesce(delivered.tiv_delivered, 0) as tiv_delivered,
        coalesce(delivered.tiv_delivered_uncertain, false) as tiv_delivered_uncertain,
        coalesce(delivered.n_deals_delivering, 0) as n_deals_delivering,
        delivered.weapon_categories_delivered,
        case
            when dyad_years.year <= tiv_coverage.last_year
                then coalesce(exact_values.tiv_sipri_exact, 0)
        end as tiv_sipri_exact,
        coalesce(ordered.n_orders, 0) as n_orders,
        coalesce(ordered.n_orders_pending, 0) as n_orders_pending,
        coalesce(ordered.tiv_ordered, 0) as tiv_ordered,
        coalesce(ordered.n_orders_without_tiv, 0) as n_orders_without_tiv,
        coalesce(ordered.orders_uncertain, false) as orders_uncertain,
        ordered.weapon_categories_ordered
    from dyad_years
    left join delivered
        on
            dyad_years.supplier_ccode = delivered.supplier_ccode
            and dyad_years.recipient_ccode = delivered.recipient_ccode
            and dyad_years.year = delivered.year
    left join ordered
        on
            dyad_years.supplier_ccode = ordered.supplier_ccode
            and dyad_years.recipient_ccode = ordered.recipient_ccode
            and dyad_years.year = ordered.year
    left join exact_values
        on
            dyad_years.supplier_ccode = exact_values.supplier_ccode
            and dyad_years.recipient_ccode = exact_values.recipient_ccode
            and dyad_years.year = exact_values.year
    cross join tiv_coverage
)

select * from final
