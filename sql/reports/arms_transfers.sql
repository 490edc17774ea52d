-- Arms deliveries and orders between states per supplier-recipient-year (SIPRI), for the
-- country pages' "arms suppliers and recipients" section.
select
    supplier_ccode,
    recipient_ccode,
    year,
    tiv_delivered,
    tiv_delivered_uncertain,
    n_orders,
    tiv_ordered,
    weapon_categories_delivered
from mart_arms_transfers
where tiv_delivered > 0 or n_orders > 0
order by supplier_ccode, recipient_ccode, year
