-- grain: one row per (accepted deal, delivery year), with the deal's TIV spread over its years
-- key: row_number, year
-- The spread: SIPRI's register export lists a deal's delivery years but not the number delivered
-- in each, so a deal's delivered TIV (and number) is spread evenly over its distinct delivery
-- years (a deal of 100 TIV delivered in 2011; 2012; 2014 gives 33.3 to each). SIPRI's own
-- yearly values (sipri_tiv, to 2021) are the reference; mart_arms_tiv_agreement publishes how
-- far the spread is from them. The parties are re-resolved on the delivery year (a 'Germany'
-- delivery is the FRG, 260, to 1989), and each is checked against the COW frame that year.
with

deals as (
    select * from int_sipri_arms_deals_checked
    where reject is null and not is_pending
),

names as (
    select * from int_country_names_resolved
    where source_id = 'sipri_arms'
),

state_years as (
    select * from int_cow_states_years_expanded
),

deal_years as (
    select
        row_number,
        source_id,
        source_file,
        supplier,
        recipient,
        order_year,
        order_year_uncertain,
        number_delivered_uncertain,
        weapon_designation,
        weapon_description,
        deal_status,
        tiv_delivered as deal_tiv_delivered,
        number_delivered as deal_number_delivered,
        len(list_distinct(delivery_years)) as n_years,
        unnest(list_distinct(delivery_years)) as year
    from deals
),

spread as (
    select
        deal_years.*,
        deal_years.deal_tiv_delivered / deal_years.n_years as tiv_delivered,
        deal_years.deal_number_delivered / deal_years.n_years as number_delivered,
        supplier_name.actor_kind as supplier_kind,
        supplier_name.ccode as supplier_ccode,
        recipient_name.actor_kind as recipient_kind,
        recipient_name.ccode as recipient_ccode
    from deal_years
    left join names as supplier_name
        on
            deal_years.supplier = supplier_name.raw_name
            and deal_years.year between supplier_name.first_year and supplier_name.last_year
    left join names as recipient_name
        on
            deal_years.recipient = recipient_name.raw_name
            and deal_years.year between recipient_name.first_year and recipient_name.last_year
),

final as (
    select
        spread.*,
        supplier_member.ccode is not null as supplier_is_member,
        recipient_member.ccode is not null as recipient_is_member,
        coalesce(
            spread.supplier_kind = 'state'
            and spread.recipient_kind = 'state'
            and supplier_member.ccode is not null
            and recipient_member.ccode is not null,
            false
        ) as is_state_dyad
    from spread
    left join state_years as supplier_member
        on spread.supplier_ccode = supplier_member.ccode and spread.year = supplier_member.year
    left join state_years as recipient_member
        on spread.recipient_ccode = recipient_member.ccode and spread.year = recipient_member.year
)

select * from final
