-- Rollback of 20261123000500_audit_log: drops the audit trail (its rows
-- included) and the audit schema. DROP is not blocked by the append-only
-- trigger (that refuses UPDATE, DELETE and TRUNCATE only); only the owner can
-- run it. Export the log first if it must be kept.
drop table if exists public.audit_log;
drop schema if exists audit cascade;
