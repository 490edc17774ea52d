-- grain: one row per cooperation layer, COW system member (ccode) and year the layer's source covers
-- key: layer, ccode, year
-- not_null: layer, ccode, year, country, degree, strength, eigenvector_method, component_size
-- accepted_values: layer = 'alliance', 'joint_igo', 'joint_exercise'
-- accepted_values: eigenvector_method = 'power_iteration', 'numpy_eigh', 'no_edges'
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
