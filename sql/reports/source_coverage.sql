-- Each source's years and citation.
select
    source_id,
    dataset,
    version,
    role,
    first_year,
    last_year,
    citation
from mart_source_coverage
order by source_id
