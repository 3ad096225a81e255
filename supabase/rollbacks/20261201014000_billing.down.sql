-- Rollback of 20261201014000_billing: plans, assignments, invoices (drafts
-- and finalized), their lines and the per-MSSP invoice counters go, with the
-- billing schema and its functions. Export finalized invoices (CSV) first:
-- a rolled-back database keeps no billing records.
drop table if exists public.billing_invoice_lines;
drop table if exists public.billing_invoices;
drop table if exists public.billing_plan_assignments;
drop table if exists public.billing_plan_prices;
drop table if exists public.billing_plans;
drop schema if exists billing cascade;
