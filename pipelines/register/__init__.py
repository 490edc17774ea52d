"""The analysts' register (issue 6): checking a register file, its template, and how register
values reach the indices. Loading is pipelines/sources/register.py; the rules are SQL
(sql/staging/stg_register__facts.sql, sql/intermediate/int_register_facts_checked.sql), shared
by the refresh and `coop register check`. Design and rules: docs/register.md.
"""
