-- Custom domains and handoffs between portals (issue 14, points 3 and 4;
-- lib/domains, lib/auth/handoff.ts, docs/white-label.md).
--
-- public.custom_domains: a tenant's own host names (soc.acme.com). Added by a
--   tenant admin (PDP domains:manage), verified by a TXT record
--   _mssp-verify.<domain> holding `token`, re-checked on a schedule. Routed
--   (the proxy serves the tenant on it) while status is verified or grace;
--   a domain whose record disappears enters grace (missing_since) and is
--   unrouted when the grace period ends.
--   The domain is unique across all tenants (a unique index): the app never
--   reads another tenant's rows; writes go through the service role
--   (purpose domains.manage) after the PDP allowed domains:manage, so the
--   uniqueness and homograph checks see every domain without the
--   authenticated role being able to list them.
-- sessions.handoff_tokens: one-time tokens that move a signed-in user to
--   another portal host (stored as a SHA-256 hash; consumed atomically;
--   bound to the target host and the source session; ≤ 60 s).
-- sessions.user_sessions.family_id: the session a handoff started from (its
--   own id for a sign-in), so signing out ends every session of the family.

create table public.custom_domains (
  tenant_id         uuid not null references public.tenants (id) on delete cascade,
  id                uuid not null default gen_random_uuid(),
  -- ASCII (punycode) form, lowercase, no trailing dot.
  domain            text not null check (domain ~ '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$' and length(domain) <= 253),
  -- Confusable skeleton of the Unicode form (lib/domains/skeleton.ts): two domains
  -- with the same skeleton look alike.
  skeleton          text not null check (length(skeleton) <= 1024),
  -- The value the TXT record must hold.
  token             text not null check (token ~ '^[A-Za-z0-9_-]{20,64}$'),
  status            text not null default 'pending' check (status in ('pending', 'verified', 'grace', 'unrouted')),
  created_at        timestamptz not null default now(),
  created_by        uuid references public.users (id) on delete set null,
  verified_at       timestamptz,
  last_checked_at   timestamptz,
  -- A short code of the last check's outcome (ok, missing, wrong_token, cname_missing, dns_error).
  last_check        text check (last_check ~ '^[a-z_]{1,32}$'),
  missing_since     timestamptz,
  primary key (tenant_id, id),
  check ((status = 'grace') = (missing_since is not null))
);
create unique index custom_domains_domain on public.custom_domains (domain);
create index custom_domains_skeleton on public.custom_domains (skeleton);

alter table public.custom_domains enable row level security;
alter table public.custom_domains force row level security;

create policy "Custom domains are visible to admins of the tenant or an ancestor"
  on public.custom_domains for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));

revoke all on table public.custom_domains from public, anon, authenticated, service_role, portal_app;
grant select on public.custom_domains to authenticated;
grant select, insert, update, delete on public.custom_domains to service_role;

select tenancy.add_frozen_write_policies('public.custom_domains'::regclass, 'tenant_id');
select tenancy.add_tenant_id_guard('public.custom_domains'::regclass);

create table sessions.handoff_tokens (
  token_hash         bytea primary key check (octet_length(token_hash) = 32),
  user_id            uuid not null references public.users (id) on delete cascade,
  source_session_id  uuid not null references sessions.user_sessions (id) on delete cascade,
  -- host[:port] the token may be used on, lowercase.
  target_host        text not null check (length(target_host) <= 260),
  target_tenant_id   uuid references public.tenants (id) on delete cascade,
  -- The authentication methods of the source session (never more).
  amr                text[] not null check (amr <@ array['pwd', 'otp']::text[]),
  created_at         timestamptz not null default now(),
  expires_at         timestamptz not null,
  consumed_at        timestamptz,
  check (expires_at > created_at and expires_at <= created_at + interval '60 seconds')
);
create index handoff_tokens_expires on sessions.handoff_tokens (expires_at);
alter table sessions.handoff_tokens enable row level security;
alter table sessions.handoff_tokens force row level security;
revoke all on sessions.handoff_tokens from public, anon, authenticated, service_role;
grant select, insert, update, delete on sessions.handoff_tokens to service_role;

alter table sessions.user_sessions add column family_id uuid;
create index user_sessions_family on sessions.user_sessions (family_id) where revoked_at is null;
