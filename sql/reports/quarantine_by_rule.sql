-- Rows kept out of the marts, per source and rule.
select
    source_id,
    rule,
    count(*) as quarantined_rows
from mart_quarantine
group by source_id, rule
order by source_id, rule
