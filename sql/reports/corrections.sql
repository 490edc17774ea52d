-- Documented corrections to source data, with evidence and citation (mart_corrections).
select
    correction_id,
    source_id,
    entity,
    ccode,
    item,
    first_year,
    last_year,
    field,
    corrected_value,
    evidence,
    citation,
    values_changed
from mart_corrections
order by ccode, correction_id
