-- Rollback of 20261201021000_custom_domains: custom domains stop routing and
-- are forgotten (the code before it serves subdomains only); pending handoffs
-- go; sessions lose their family (sign-out ends one session again).
drop table if exists public.custom_domains;
drop table if exists sessions.handoff_tokens;
drop index if exists sessions.user_sessions_family;
alter table sessions.user_sessions drop column if exists family_id;
