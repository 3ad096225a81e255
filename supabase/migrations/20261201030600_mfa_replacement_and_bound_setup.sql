-- Two-step verification: replacing the authenticator app, and setups bound to
-- the session that re-entered the password (lib/auth/mfa.ts).
--
-- pending_secret      a new TOTP key waiting for its first code while the
--                     confirmed one (totp_secret) keeps working: a user who
--                     must use MFA replaces their app without a moment where
--                     the password alone would do. Sealed like totp_secret
--                     (same key, the user id as additional data), so it moves
--                     into totp_secret as is when confirmed. Only beside a
--                     confirmed factor; a first setup's key stays in
--                     totp_secret with confirmed_at null, as before.
-- pending_session_id  the session that started the setup or the replacement
--                     (after the account password, and for a replacement a
--                     current code): only that session is shown the key and
--                     may confirm it.
-- pending_started_at  when; a key not confirmed within the window
--                     (PENDING_MINUTES) needs the password again.
alter table public.user_mfa
  add column pending_secret text check (pending_secret ~ '^v[0-9]+\.[A-Za-z0-9_-]+$'),
  add column pending_session_id uuid,
  add column pending_started_at timestamptz,
  add constraint user_mfa_pending_replaces_a_confirmed_factor check (pending_secret is null or confirmed_at is not null),
  add constraint user_mfa_pending_secret_is_bound check (pending_secret is null or pending_started_at is not null);

comment on column public.user_mfa.pending_secret is
  'A replacement TOTP key (sealed like totp_secret) waiting for its first code; the confirmed totp_secret still works until then.';
comment on column public.user_mfa.pending_session_id is
  'The session that started the pending setup or replacement (after the password): only it may see and confirm the key.';
comment on column public.user_mfa.pending_started_at is
  'When the pending setup or replacement was started; after the window the password is asked again.';
