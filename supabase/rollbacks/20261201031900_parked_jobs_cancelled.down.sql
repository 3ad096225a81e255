-- Rollback of 20261201031900_parked_jobs_cancelled: a new job no longer pulls the unfinished job of
-- its tenant and kind to its own time (no such trigger before). The jobs it cancelled stay
-- cancelled, an offboarding it queued again stays queued, and its audit rows stay (append-only).
drop trigger jobs_pull_unfinished_earlier on public.jobs;
drop function jobs_engine.pull_unfinished_earlier();
