-- Each state's position in each cooperation network, with its eigenvector rank that year
-- (NULL when the year's graph has no edges and centrality is undefined).
select
    layer,
    ccode,
    year,
    degree,
    strength,
    eigenvector,
    n_nodes,
    case
        when eigenvector is not null
            then rank() over (partition by layer, year order by eigenvector desc nulls last)
    end as eigenvector_rank
from mart_network
order by ccode, layer, year
