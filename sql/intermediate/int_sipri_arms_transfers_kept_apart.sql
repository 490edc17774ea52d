-- grain: one row per SIPRI deal-year that the state marts do not count (a delivery year, or the
-- order year of an order)
-- key: row_number, year, event
-- not_null: row_number, year, event, supplier, recipient, why_apart
-- Deliveries and orders with an organisation, armed group, territory or unknown party on either
-- side, or with a state that is not a COW system member that year, and orders signed before
-- 1950 (the register lists only deals delivered from 1950). Nothing SIPRI lists is dropped:
-- a deal is either counted in mart_arms_transfers or here, year by year.
with

deliveries as (
    select * from int_sipri_arms_deliveries_spread
    where not is_state_dyad
),

deals as (
    select * from int_sipri_arms_deals_checked
    where reject is null
),

state_years as (
    select * from int_cow_states_years_expanded
),

coverage as (
    select first_year from stg_sources__coverage
    where source_id = 'sipri_arms'
),

orders as (
    select
        deals.*,
        supplier_member.ccode is not null as supplier_is_member,
        recipient_member.ccode is not null as recipient_is_member
    from deals
    left join state_years as supplier_member
        on deals.supplier_ccode = supplier_member.ccode and deals.order_year = supplier_member.year
    left join state_years as recipient_member
        on
            deals.recipient_ccode = recipient_member.ccode
            and deals.order_year = recipient_member.year
),

delivery_rows as (
    select
        source_id,
        row_number,
        year,
        'delivery' as event,
        supplier,
        supplier_kind,
        supplier_ccode,
        recipient,
        recipient_kind,
        recipient_ccode,
        weapon_designation,
        weapon_description,
        tiv_delivered as tiv,
        number_delivered_uncertain as tiv_uncertain,
        concat_ws(
            '; ',
            case when supplier_kind <> 'state' then 'supplier is ' || replace(supplier_kind, '_', ' ') end,
            case when recipient_kind <> 'state' then 'recipient is ' || replace(recipient_kind, '_', ' ') end,
            case
                when supplier_kind = 'state' and not supplier_is_member
                    then 'supplier is not a COW system member in ' || year
            end,
            case
                when recipient_kind = 'state' and not recipient_is_member
                    then 'recipient is not a COW system member in ' || year
            end
        ) as why_apart
    from deliveries
),

order_rows as (
    select
        orders.source_id,
        orders.row_number,
        orders.order_year as year,
        'order' as event,
        orders.supplier,
        orders.supplier_kind,
        orders.supplier_ccode,
        orders.recipient,
        orders.recipient_kind,
        orders.recipient_ccode,
        orders.weapon_designation,
        orders.weapon_description,
        orders.tiv_total_order as tiv,
        orders.order_year_uncertain or orders.number_ordered_uncertain as tiv_uncertain,
        concat_ws(
            '; ',
            case
                when orders.supplier_kind <> 'state'
                    then 'supplier is ' || replace(orders.supplier_kind, '_', ' ')
            end,
            case
                when orders.recipient_kind <> 'state'
                    then 'recipient is ' || replace(orders.recipient_kind, '_', ' ')
            end,
            case
                when orders.supplier_kind = 'state' and not orders.supplier_is_member
                    then 'supplier is not a COW system member in ' || orders.order_year
            end,
            case
                when orders.recipient_kind = 'state' and not orders.recipient_is_member
                    then 'recipient is not a COW system member in ' || orders.order_year
            end,
            case
                when orders.order_year < coverage.first_year
                    then
                        'ordered before ' || coverage.first_year
                        || ', the first year the register lists deliveries'
            end
        ) as why_apart
    from orders
    cross join coverage
    where
        not orders.is_state_deal
        or not orders.supplier_is_member
        or not orders.recipient_is_member
        or orders.order_year < coverage.first_year
),

final as (
    select * from delivery_rows
    union all
    select * from order_rows
)

select * from final
