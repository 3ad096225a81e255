-- Rollback of 20261129000300_jobs.
drop table if exists public.jobs;
