-- grain, key, columns and checks: sql/marts/mart_arms_non_state_transfers.toml
-- Deliveries and orders with an organisation (African Union**, NATO**), an armed group
-- (Houthi rebels (Yemen)*), a territory, an unknown party or a state outside the COW system
-- that year, and orders signed before 1950; why_apart says which. Kept apart, like MME's
-- non-state participants, so state counts never include them and nothing SIPRI lists is lost.
with

kept_apart as (
    select * from int_sipri_arms_transfers_kept_apart
),

final as (
    select
        source_id,
        row_number,
        year,
        event,
        supplier,
        supplier_kind,
        supplier_ccode,
        recipient,
        recipient_kind,
        recipient_ccode,
        weapon_designation,
        weapon_description,
        tiv,
        tiv_uncertain,
        why_apart
    from kept_apart
)

select * from final
order by row_number, year, event
