-- The second factor's lockout grows, and the account page counts on its own
-- (lib/auth/mfa.ts).
--
-- failed_count is now the sign-in's consecutive wrong codes, which only a
-- right code at sign-in clears (a lock no longer resets it): every
-- MAX_FAILED_CODES-th failure in a row locks the factor (locked_until) for
-- longer than the last (15 minutes, 1 hour, 4 hours, 16 hours, then 24 hours
-- each), and at HARD_LOCK_AFTER_FAILURES (100, NIST SP 800-63B's ceiling) in
-- a row only a recovery code gets through, until one is used.
--
-- The account page's code checks (new recovery codes, turning MFA off) keep
-- the same schedule in their own columns, so someone holding a session cannot
-- keep the user's sign-in locked, nor escalate it, with wrong codes there.
alter table public.user_mfa
  add column account_failed_count integer not null default 0 check (account_failed_count >= 0),
  add column account_locked_until timestamptz;

comment on column public.user_mfa.failed_count is
  'Wrong codes at sign-in in a row; only a right code at sign-in clears it. Locks grow with it (lib/auth/mfa.ts).';
comment on column public.user_mfa.account_failed_count is
  'Wrong codes on the account page in a row (new recovery codes, turning MFA off); counted apart from sign-in.';
comment on column public.user_mfa.account_locked_until is
  'The account page''s code checks are refused until then (a recovery code still works).';
