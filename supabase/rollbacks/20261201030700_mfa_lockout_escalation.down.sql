-- Rollback of 20261201030700_mfa_lockout_escalation: one counter for sign-in
-- and the account page again, without comments.
comment on column public.user_mfa.failed_count is null;
alter table public.user_mfa
  drop column account_locked_until,
  drop column account_failed_count;
