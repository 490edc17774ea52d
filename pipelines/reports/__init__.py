"""The stakeholder report site: an overview, a regional comparison and one page per state.

pipelines.report.render_index is the report stage's entry point; the modules here do the work:
config (reports.toml), data (one query per sql/reports file), pages (what each page shows),
figures (Plotly figure dicts), assets (plotly.js and the map outline) and site (writing).
"""
