-- Rollback of 20261201000200_sessions: the session records go (every signed-in
-- user is signed out: the code before this migration does not check them).
drop trigger if exists memberships_revoke_sessions on public.memberships;
drop schema if exists sessions cascade;
