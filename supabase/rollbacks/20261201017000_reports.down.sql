-- Rollback of 20261201017000_reports: stored reports and their schedules go
-- (a rolled-back portal generates none); their graphile-worker jobs, if any
-- are waiting, fail harmlessly on a missing task.
drop table if exists public.reports;
drop table if exists public.report_schedules;
drop schema if exists reports cascade;
