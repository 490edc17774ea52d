-- grain, key, columns and checks: sql/marts/mart_network.toml
-- Degree (partners), strength (sum of edge weights: alliance level 1-3, joint full IGOs, joint
-- exercises) and weighted eigenvector centrality (unit Euclidean norm; networkx's power iteration
-- in numpy); every system member is a node, isolates included. eigenvector_method records how
-- it was computed.
with

network as (
    select * from py_network
),

countries as (
    select * from mart_countries
),

final as (
    select
        network.layer,
        network.ccode,
        countries.iso3,
        countries.country,
        cast(network.year as integer) as year,
        cast(network.degree as integer) as degree,
        network.strength,
        network.eigenvector,
        network.eigenvector_method,
        cast(network.component_size as integer) as component_size,
        cast(network.n_nodes as integer) as n_nodes,
        cast(network.n_edges as integer) as n_edges
    from network
    inner join countries on network.ccode = countries.ccode
)

select * from final
order by layer, ccode, year
