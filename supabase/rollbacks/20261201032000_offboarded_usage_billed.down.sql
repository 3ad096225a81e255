-- Rollback of 20261201032000_offboarded_usage_billed: the two predicates were new.
drop function if exists billing.assignment_unbilled(uuid, date, date);
drop function if exists billing.month_unbilled(uuid, date);
