-- The analysts' register facts, for the country pages: every accepted fact with its citation
-- and what the refresh did with it (status_note).
select
    ccode,
    year,
    date,
    family_label,
    subtype,
    partner,
    partner_iso3,
    count,
    count_qualifier,
    confidence,
    source_citation,
    source_url,
    notes,
    status_note,
    register_file,
    row_number
from mart_register_facts
order by ccode, year nulls first, family_label, subtype, register_file, row_number
