-- Helpers shared by the staging models; created before any model is built.

-- A whole number written as digits only: '1.5', '1e3' and '' are not integers (try_cast would
-- round or accept them).
create or replace macro as_int(text_value) as
case
    when regexp_full_match(trim(text_value), '[+-]?[0-9]+')
        then try_cast(trim(text_value) as bigint)
end;

-- A reject reason: the first failing rule of a row, its column and the offending text.
create or replace macro reject_if(condition, rule_name, column_name, offending_value) as
case
    when condition
        then struct_pack(
            rule := rule_name,
            column_name := column_name,
            value := cast(offending_value as varchar)
        )
end;
