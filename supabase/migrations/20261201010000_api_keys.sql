-- API keys per tenant (issue 11, point 1): a key is a principal under RLS and
-- the PDP, like a user of its tenant who holds exactly the key's scopes.
--
-- public.api_keys: one row per key. The key itself is
--   msp_live_<key id, base32>_<secret, base32>
-- and only SHA-256(secret) is stored. The secret is 256 random bits, so a
-- plain hash is as strong as a slow or keyed one: there is no dictionary to
-- try, and a leaked table gives nothing that opens the API (HMAC with a
-- server key would only matter for low-entropy secrets such as passwords).
-- The key id in the key finds the row through its unique index: no scan, and
-- the row names the tenant.
--
-- Claims: public.api_key_access_token(event) is the key's sibling of
-- public.custom_access_token_hook. It checks the secret's hash, expiry,
-- revocation and the tenant's state in the same transaction that then runs
-- the request, and builds claims with sub = the key id, one membership root
-- on the key's tenant with role "api_key" (for the PDP), and an `api_key`
-- object (id, tenant, scopes). A key that fails any check gets no membership
-- and no `api_key` claim: it sees nothing.
--
-- RLS: tenancy.visible_tenant_ids() and tenancy.tenant_ids_with_role() also
-- count the caller's key, when the claims say the caller is that key
-- (claims.api_key.id = sub) and the row says it is live (re-read in every
-- statement, so a revocation or an expiry takes effect at the next
-- statement). For the table policies a key holds the role api.key_role()
-- gives it: an analyst of its tenant kind when it has a write scope, else
-- "api_reader", which no policy names (visibility only). The PDP (policies/,
-- derived role api_key) then allows exactly the actions of its scopes.

create schema api;
revoke all on schema api from public, anon, authenticated, service_role, portal_app;
grant usage on schema api to authenticated, service_role;

-- The scopes a key may hold (lib/api/endpoint.ts API_SCOPES, the same list).
create function api.valid_scopes() returns text[]
  language sql immutable
  set search_path = ''
  as $$ select array['alerts:read', 'alerts:write', 'alerts:triage', 'assets:read', 'assets:write',
                     'collectors:write', 'usage:read']::text[] $$;

-- The role a key holds for the table policies (see above).
create function api.key_role(scopes text[], tenant_kind text) returns text
  language sql immutable
  set search_path = ''
  as $$
    select case
      when scopes && array['alerts:write', 'alerts:triage', 'assets:write', 'collectors:write']::text[]
        then case when tenant_kind = 'mssp' then 'mssp_analyst' else 'tenant_analyst' end
      else 'api_reader'
    end
  $$;

create table public.api_keys (
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  id            uuid not null,
  name          text not null check (length(btrim(name)) between 1 and 80),
  secret_hash   bytea not null check (octet_length(secret_hash) = 32),
  scopes        text[] not null
                check (cardinality(scopes) between 1 and 7 and scopes <@ api.valid_scopes()),
  created_at    timestamptz not null default now(),
  -- Required and bounded: a key lives at most a year (and a day, for the clock).
  expires_at    timestamptz not null,
  created_by    uuid references public.users (id) on delete set null,
  revoked_at    timestamptz,
  revoked_by    uuid references public.users (id) on delete set null,
  last_used_at  timestamptz,
  last_used_ip  text check (length(last_used_ip) <= 64),
  primary key (tenant_id, id),
  constraint api_keys_id_unique unique (id),
  constraint api_keys_secret_unique unique (secret_hash),
  constraint api_keys_expiry_bounded check (expires_at > created_at and expires_at <= created_at + interval '366 days')
);
comment on table public.api_keys is
  'API keys of a tenant (lib/api/keys): only SHA-256 of the 256-bit secret is kept; the key id in the key finds its row.';
create index api_keys_created_by on public.api_keys (created_by);
create index api_keys_revoked_by on public.api_keys (revoked_by);

-- A revocation is final and names who did it; nothing else but the last use
-- changes after creation (column grants leave authenticated only revoked_*).
create function api.guard_key_update() returns trigger
  language plpgsql
  set search_path = ''
  as $$
begin
  if new.revoked_at is distinct from old.revoked_at or new.revoked_by is distinct from old.revoked_by then
    if old.revoked_at is not null then
      raise exception 'this API key is already revoked' using errcode = '55000', hint = 'api_key_revoked';
    end if;
    new.revoked_at := now();
    new.revoked_by := auth.uid();
  end if;
  if new.name is distinct from old.name or new.scopes is distinct from old.scopes
     or new.expires_at is distinct from old.expires_at or new.secret_hash is distinct from old.secret_hash
     or new.created_by is distinct from old.created_by or new.created_at is distinct from old.created_at then
    raise exception 'an API key cannot be changed, only revoked' using errcode = '42501', hint = 'api_key_immutable';
  end if;
  return new;
end
$$;
create trigger api_keys_guard before update on public.api_keys
  for each row execute function api.guard_key_update();

alter table public.api_keys enable row level security;
alter table public.api_keys force row level security;
revoke all on public.api_keys from public, anon, authenticated, service_role, portal_app;
grant select, insert on public.api_keys to authenticated;
grant update (revoked_at, revoked_by) on public.api_keys to authenticated;
grant select, insert, update, delete on public.api_keys to service_role;

create policy "API keys are visible to admins of the tenant or an ancestor"
  on public.api_keys for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins create API keys in their tenants, as themselves"
  on public.api_keys for insert to authenticated
  with check (created_by = (select auth.uid())
              and tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins revoke API keys of their tenants"
  on public.api_keys for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
select tenancy.add_frozen_write_policies('public.api_keys', 'tenant_id');
select tenancy.add_tenant_id_guard('public.api_keys');

-- ---------------------------------------------------------------------------
-- Claims for a key
-- ---------------------------------------------------------------------------

-- The key the caller is, or null: only when the claims say so for this very
-- sub (set by public.api_key_access_token after it checked the secret). A
-- person's session never carries an api_key claim.
create function tenancy.api_key_id() returns uuid
  language sql stable
  set search_path = ''
  as $$
    select case when (select auth.jwt()) -> 'api_key' ->> 'id' = (select auth.uid())::text
                then (select auth.uid()) end
  $$;

-- Input: {"key_id": uuid, "secret_sha256": hex, "claims": {...}} (claims as
-- for the hook: iss, aud, exp, iat, role, tenant_id = the requested active
-- tenant). Output: {"claims": {...}, "status": ok | unknown | bad_secret |
-- revoked | expired | tenant_inactive, "key_tenant_id": uuid | null}.
-- The status and the key's tenant are for the gateway's answer and its audit
-- row; only "claims" becomes request.jwt.claims.
create function public.api_key_access_token(event jsonb) returns jsonb
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  claims     jsonb := coalesce(event -> 'claims', '{}'::jsonb);
  key_text   text := event ->> 'key_id';
  hash_text  text := event ->> 'secret_sha256';
  requested  text := nullif(claims ->> 'tenant_id', '');
  k          record;
  status     text;
  roots      jsonb := '[]'::jsonb;
  key_claim  jsonb := null;
  active_id  uuid;
  active_path text;
begin
  if key_text !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     or hash_text !~ '^[0-9a-f]{64}$' then
    status := 'unknown';
  else
    select ak.id, ak.name, ak.secret_hash, ak.scopes, ak.expires_at, ak.revoked_at,
           t.id as tenant_id, t.slug, t.name as tenant_name, t.kind, t.path
      into k
      from public.api_keys ak
      join public.tenants t on t.id = ak.tenant_id
     where ak.id = key_text::uuid;
    if not found then
      status := 'unknown';
    -- Comparing hashes of a 256-bit secret: an attacker who could time this
    -- would learn a prefix of SHA-256(secret), which does not help find it.
    elsif k.secret_hash <> decode(hash_text, 'hex') then
      status := 'bad_secret';
    elsif k.revoked_at is not null then
      status := 'revoked';
    elsif k.expires_at <= now() then
      status := 'expired';
    elsif exists (select 1 from public.tenants s
                   where s.status <> 'active' and k.path operator(extensions.<@) s.path) then
      status := 'tenant_inactive';
    else
      status := 'ok';
    end if;
  end if;

  if status = 'ok' then
    roots := jsonb_build_array(jsonb_build_object(
      'tenant_id', k.tenant_id, 'slug', k.slug, 'name', k.tenant_name, 'kind', k.kind,
      'path', k.path::text, 'role', 'api_key'));
    key_claim := jsonb_build_object(
      'id', k.id, 'name', k.name, 'tenant_id', k.tenant_id, 'tenant_slug', k.slug,
      'tenant_path', k.path::text, 'scopes', to_jsonb(k.scopes), 'expires_at', k.expires_at);
    if requested ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      select t.id, t.path::text into active_id, active_path
        from public.tenants t
       where t.id = requested::uuid and t.path operator(extensions.<@) k.path;
    end if;
  end if;

  claims := claims || jsonb_build_object(
    'sub', case when key_text ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                then key_text::uuid else '00000000-0000-0000-0000-000000000000'::uuid end,
    'role', 'authenticated',
    'tenants', roots,
    'tenant_id', active_id,
    'tenant_path', active_path,
    'api_key', key_claim);
  return jsonb_build_object('claims', claims, 'status', status,
                            'key_tenant_id', case when status <> 'unknown' then k.tenant_id end);
end
$$;
revoke execute on function public.api_key_access_token(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.api_key_access_token(jsonb) to portal_app;

-- The key records its own last use, at most once a minute (the gateway calls
-- this on every request; the update is skipped inside the minute).
create function api.touch_key(ip text) returns void
  language sql volatile security definer
  set search_path = ''
  as $$
    update public.api_keys
       set last_used_at = now(), last_used_ip = left(ip, 64)
     where id = (select tenancy.api_key_id())
       and (last_used_at is null or last_used_at < now() - interval '1 minute')
  $$;

-- A per-tenant concurrency slot for the length of the caller's transaction:
-- the first of `slots` transaction-level advisory locks of this tenant that
-- is free, or null when all are held (the gateway answers 429). Released by
-- COMMIT or ROLLBACK, also when the process dies: no per-process state.
create function api.take_slot(tenant uuid, slots integer) returns integer
  language plpgsql volatile
  set search_path = ''
  as $$
declare
  space integer := hashtext('mssp-portal.api-slot:' || tenant::text);
begin
  for s in 0 .. least(greatest(slots, 1), 1000) - 1 loop
    if pg_catalog.pg_try_advisory_xact_lock(space, s) then
      return s;
    end if;
  end loop;
  return null;
end
$$;

revoke execute on all functions in schema api from public, anon, authenticated, service_role, portal_app;
grant execute on function api.touch_key(text), api.take_slot(uuid, integer) to authenticated;
grant execute on function api.key_role(text[], text), api.valid_scopes() to authenticated, service_role;
revoke execute on function tenancy.api_key_id() from public, anon, authenticated, service_role, portal_app;
grant execute on function tenancy.api_key_id() to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- The RLS helpers count the caller's live key (as 20261130000400 made them,
-- plus the `key_roots` branch).
-- ---------------------------------------------------------------------------
create or replace function tenancy.visible_tenant_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
  as $$
    with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active, tenancy.api_key_id() as key),
    roots as (
      select mt.path
        from public.memberships m
        join public.tenants mt on mt.id = m.tenant_id
       where m.user_id = (select uid from me)
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and mt.path operator(extensions.<@) s.path)
      union all
      select kt.path
        from public.api_keys k
        join public.tenants kt on kt.id = k.tenant_id
       where k.id = (select key from me)
         and k.revoked_at is null and k.expires_at > now()
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and kt.path operator(extensions.<@) s.path)
    ),
    scope as (
      select a.path from public.tenants a where a.id = (select active from me)
      union all
      select r.path from roots r where (select active from me) is null
    )
    select distinct t.id
      from scope s
      join public.tenants t on t.path operator(extensions.<@) s.path
     where exists (select 1 from roots r where t.path operator(extensions.<@) r.path)
  $$;

create or replace function tenancy.tenant_ids_with_role(roles text[]) returns setof uuid
  language sql stable security definer
  set search_path = ''
  as $$
    with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active, tenancy.api_key_id() as key),
    roots as (
      select mt.path
        from public.memberships m
        join public.tenants mt on mt.id = m.tenant_id
       where m.user_id = (select uid from me) and m.role = any (roles)
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and mt.path operator(extensions.<@) s.path)
      union all
      select kt.path
        from public.api_keys k
        join public.tenants kt on kt.id = k.tenant_id
       where k.id = (select key from me)
         and k.revoked_at is null and k.expires_at > now()
         and api.key_role(k.scopes, kt.kind) = any (roles)
         and not exists (select 1 from public.tenants s
                          where s.status <> 'active' and kt.path operator(extensions.<@) s.path)
    ),
    scope as (
      select a.path from public.tenants a where a.id = (select active from me)
      union all
      select r.path from roots r where (select active from me) is null
    )
    select distinct t.id
      from scope s
      join public.tenants t on t.path operator(extensions.<@) s.path
     where exists (select 1 from roots r where t.path operator(extensions.<@) r.path)
  $$;

-- An alert's timeline names its actor only when that is a person (a users
-- row): a key's triage has no actor there (the audit row names the key).
-- Before, a status change by a key failed the timeline's foreign key.
create or replace function triage.record_alert_change() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  sub uuid := nullif(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', '')::uuid;
  actor uuid := (select u.id from public.users u where u.id = sub);
begin
  if new.status is distinct from old.status then
    insert into public.alert_events (tenant_id, alert_id, kind, actor_id, from_status, to_status, body)
    values (new.tenant_id, new.id, 'status', actor, old.status, new.status,
            case when new.status in ('resolved', 'false_positive') then new.close_reason end);
  end if;
  if new.assigned_to is distinct from old.assigned_to then
    insert into public.alert_events (tenant_id, alert_id, kind, actor_id, from_assignee, to_assignee)
    values (new.tenant_id, new.id, 'assignment', actor, old.assigned_to, new.assigned_to);
  end if;
  return null;
end
$$;
