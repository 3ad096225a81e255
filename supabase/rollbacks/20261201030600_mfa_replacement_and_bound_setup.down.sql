-- Rollback of 20261201030600_mfa_replacement_and_bound_setup: user_mfa as before
-- (a pending replacement key is dropped; the confirmed factor stays).
alter table public.user_mfa
  drop constraint user_mfa_pending_secret_is_bound,
  drop constraint user_mfa_pending_replaces_a_confirmed_factor,
  drop column pending_started_at,
  drop column pending_session_id,
  drop column pending_secret;
