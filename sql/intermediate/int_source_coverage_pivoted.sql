-- grain: one row: each event source's first and last covered year, side by side
-- key: none (a single row)
-- Shared by the marts that set a source's columns to NULL outside its years.
with

coverage as (
    select * from stg_sources__coverage
),

final as (
    select
        max(first_year) filter (where source_id = 'atop') as atop_first,
        max(last_year) filter (where source_id = 'atop') as atop_last,
        max(first_year) filter (where source_id = 'cow_igo') as igo_first,
        max(last_year) filter (where source_id = 'cow_igo') as igo_last,
        max(first_year) filter (where source_id = 'mme') as mme_first,
        max(last_year) filter (where source_id = 'mme') as mme_last,
        max(first_year) filter (where source_id = 'ipi') as ipi_first,
        max(last_year) filter (where source_id = 'ipi') as ipi_last
    from coverage
)

select * from final
