-- grain: one row per deal of the SIPRI trade register, valid or rejected, with its parties
-- key: row_number
-- Supplier and recipient are resolved by name on the year of order (int_country_names_resolved;
-- the deliveries are re-resolved year by year in int_sipri_arms_deliveries_spread). A party
-- that is an organisation, an armed group, a territory or an unknown party is kept (is_state_deal
-- is false) and shown in mart_arms_non_state_transfers; only an unresolvable name, a bad number
-- or a bad year list sends a deal to quarantine.
with

deals as (
    select * from stg_sipri_arms__deals
),

names as (
    select * from int_country_names_resolved
    where source_id = 'sipri_arms'
),

coverage as (
    select
        first_year,
        last_year
    from stg_sources__coverage
    where source_id = 'sipri_arms'
),

resolved as (
    select
        deals.*,
        supplier_name.actor_kind as supplier_kind,
        supplier_name.ccode as supplier_ccode,
        recipient_name.actor_kind as recipient_kind,
        recipient_name.ccode as recipient_ccode,
        list_min(deals.delivery_years) as first_delivery_year,
        list_max(deals.delivery_years) as last_delivery_year,
        coalesce(len(deals.delivery_years), 0) as n_delivery_years
    from deals
    left join names as supplier_name
        on
            deals.supplier = supplier_name.raw_name
            and coalesce(deals.order_year, 0) between supplier_name.first_year
            and supplier_name.last_year
    left join names as recipient_name
        on
            deals.recipient = recipient_name.raw_name
            and coalesce(deals.order_year, 0) between recipient_name.first_year
            and recipient_name.last_year
),

checked as (
    select
        resolved.*,
        coalesce(
            reject_if(resolved.supplier is null, 'null_key', 'Supplier', resolved.supplier),
            reject_if(resolved.recipient is null, 'null_key', 'Recipient', resolved.recipient),
            reject_if(
                resolved.order_year is null, 'not_integer', 'Year of order',
                resolved.year_of_order_text
            ),
            reject_if(
                resolved.tiv_delivered is null, 'not_a_number', 'SIPRI TIV of delivered weapons',
                resolved.tiv_delivered_text
            ),
            reject_if(
                resolved.tiv_total_order is null and resolved.tiv_total_order_text is not null,
                'not_a_number', 'SIPRI TIV for total order', resolved.tiv_total_order_text
            ),
            reject_if(
                resolved.number_delivered is null, 'not_integer', 'Number delivered',
                resolved.number_delivered_text
            ),
            reject_if(
                resolved.number_ordered is null and resolved.number_ordered_text is not null,
                'not_integer', 'Number ordered', resolved.number_ordered_text
            ),
            reject_if(
                list_count(resolved.delivery_years) < len(resolved.delivery_years),
                'bad_year_list', 'Year(s) of delivery', resolved.delivery_years_text
            ),
            reject_if(
                resolved.first_delivery_year < coverage.first_year
                or resolved.last_delivery_year > coverage.last_year,
                'outside_coverage', 'Year(s) of delivery', resolved.delivery_years_text
            ),
            reject_if(
                resolved.is_pending and (resolved.number_delivered > 0 or resolved.tiv_delivered > 0),
                'delivered_without_years', 'Number delivered', resolved.number_delivered_text
            ),
            reject_if(
                resolved.supplier_kind is null or resolved.supplier_kind = 'unresolved',
                'unresolved_name', 'Supplier', resolved.supplier
            ),
            reject_if(
                resolved.recipient_kind is null or resolved.recipient_kind = 'unresolved',
                'unresolved_name', 'Recipient', resolved.recipient
            ),
            reject_if(
                resolved.supplier_kind = 'state' and resolved.supplier_ccode = resolved.recipient_ccode,
                'self_dyad', 'Supplier, Recipient',
                concat_ws(', ', resolved.supplier, resolved.recipient)
            )
        ) as reject
    from resolved
    cross join coverage
),

final as (
    select
        *,
        coalesce(supplier_kind = 'state' and recipient_kind = 'state', false) as is_state_deal
    from checked
)

select * from final
