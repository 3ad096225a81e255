-- Tenant settings down the tree (issue 10): the storage and the resolution of
-- the settings registry (lib/settings). One row per tenant and setting that
-- is set there; a tenant with no row for a setting inherits it.
--
--   resolution   the nearest value walking up tenants.path, else the
--                registry's default (lib/settings, not here: SQL only stores
--                what was set). A value LOCKED at a strict ancestor wins over
--                anything below it, and the shallowest such lock wins.
--   writes       under RLS by the admins of the tenant (or an ancestor), as
--                the other tenant tables; lib/actions/settings asks the PDP
--                first and validates the value against the registry. The
--                database re-checks what must hold whoever writes:
--                  - nothing is set below a lock (trigger, SQLSTATE 42501,
--                    hint setting_locked, "locked by <tenant> (<who>)"),
--                    but by the service role (restores), which the lock
--                    overrules anyway;
--                  - the settings the MSSP sells (features.*, limits.*,
--                    integrations.*) are written only by an mssp_admin
--                    (or the service role), never by a customer's admin.
--   reads        the table under RLS (members of the tenant or an ancestor);
--                the effective value through settings.effective(), a
--                security definer function that answers only for tenants
--                the caller can see, and reads the ancestors' rows for them
--                (a customer's admin must see that the MSSP locked a
--                setting, without reading the MSSP's other rows).
--
-- Also: tenants.require_mfa becomes the setting session.mfa_required (values
-- copied; the column, its grant and its update policy dropped), and
-- sessions.mfa_required() reads the setting with the same meaning as before:
-- MFA is required for a member of a tenant at, under or above a tenant where
-- the setting is on. The rollback restores the column with its values.

create table public.tenant_settings (
  tenant_id   uuid not null references public.tenants (id) on delete cascade,
  -- "group.name", e.g. session.mfa_required (lib/settings/registry.ts).
  key         text not null check (key ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$' and length(key) <= 100),
  value       jsonb not null check (pg_column_size(value) <= 8192),
  -- Locked here: the tenants below this one cannot set the key.
  locked      boolean not null default false,
  changed_by  uuid references public.users (id) on delete set null,
  changed_at  timestamptz not null default now(),
  primary key (tenant_id, key)
);
comment on table public.tenant_settings is
  'Settings set at a tenant (lib/settings). Effective values: settings.effective(); history: the audit trail (target_type setting).';
-- By key across tenants: the drift report, the MFA check (which tenants have it on).
create index tenant_settings_key on public.tenant_settings (key, tenant_id);
-- A removed user's name is cleared from what they set (on delete set null).
create index tenant_settings_changed_by on public.tenant_settings (changed_by) where changed_by is not null;

alter table public.tenant_settings enable row level security;
alter table public.tenant_settings force row level security;
revoke all on public.tenant_settings from public, anon, authenticated, service_role, portal_app;
grant select, insert, update, delete on public.tenant_settings to authenticated, service_role;

create policy "Settings are visible to members of the tenant or an ancestor"
  on public.tenant_settings for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Admins set settings of their tenants"
  on public.tenant_settings for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins change settings of their tenants"
  on public.tenant_settings for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins clear settings of their tenants"
  on public.tenant_settings for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));

select tenancy.add_frozen_write_policies('public.tenant_settings', 'tenant_id');
select tenancy.add_tenant_id_guard('public.tenant_settings');

-- ---------------------------------------------------------------------------
-- Resolution
-- ---------------------------------------------------------------------------
create schema settings;
revoke all on schema settings from public, anon, authenticated, service_role;
grant usage on schema settings to authenticated, service_role;

-- The one resolution query: for each tenant, each key set at the tenant or an
-- ancestor, the row that decides it. A lock at a strict ancestor first (the
-- shallowest), else the deepest row. Not callable by authenticated: it
-- answers for any tenant. Callers: settings.effective (visibility checked),
-- sessions.mfa_required, the service role (provisioning).
create function settings.resolve(p_tenants uuid[])
returns table (
  tenant_id        uuid,
  key              text,
  value            jsonb,
  source_tenant_id uuid,
  source_name      text,
  -- The deciding row is locked (at the tenant itself: it binds those below).
  locked           boolean,
  -- The value is imposed by a lock at a strict ancestor: cannot be set here.
  locked_above     boolean,
  changed_by_name  text,
  changed_at       timestamptz
)
language sql stable security definer
set search_path = ''
as $$
  select distinct on (t.id, s.key)
         t.id, s.key, s.value, a.id, a.name, s.locked, (s.locked and a.id <> t.id),
         coalesce(u.name, u.email), s.changed_at
    from public.tenants t
    join public.tenants a on a.path operator(extensions.@>) t.path
    join public.tenant_settings s on s.tenant_id = a.id
    left join public.users u on u.id = s.changed_by
   where t.id = any (p_tenants)
   order by t.id, s.key, (s.locked and a.id <> t.id) desc,
            case when s.locked and a.id <> t.id then extensions.nlevel(a.path) else -extensions.nlevel(a.path) end
$$;

-- The same, for the tenants among p_tenants the caller can see (RLS's own
-- visibility helper); nothing for the others. What pages and actions call.
-- Each visible tenant also gets one row with a null key, so the caller learns
-- which tenants were answered (a visible tenant with nothing set has no other
-- row) without a second statement.
create function settings.effective(p_tenants uuid[])
returns table (
  tenant_id        uuid,
  key              text,
  value            jsonb,
  source_tenant_id uuid,
  source_name      text,
  locked           boolean,
  locked_above     boolean,
  changed_by_name  text,
  changed_at       timestamptz
)
language sql stable security definer
set search_path = ''
as $$
  with visible as (
    select v from unnest(p_tenants) v
     where v = any (array(select tenancy.visible_tenant_ids()))
  )
  select r.* from settings.resolve(array(select v from visible)) r
  union all
  select v, null, null, null, null, null, null, null, null from visible
$$;

-- One key's effective value at one tenant (null: not set anywhere above).
create function settings.value_of(p_tenant uuid, p_key text) returns jsonb
language sql stable security definer
set search_path = ''
as $$
  select s.value
    from public.tenants t
    join public.tenants a on a.path operator(extensions.@>) t.path
    join public.tenant_settings s on s.tenant_id = a.id and s.key = p_key
   where t.id = p_tenant
   order by (s.locked and a.id <> t.id) desc,
            case when s.locked and a.id <> t.id then extensions.nlevel(a.path) else -extensions.nlevel(a.path) end
   limit 1
$$;

-- ---------------------------------------------------------------------------
-- What the database enforces on every write
-- ---------------------------------------------------------------------------
-- Nothing is set below a lock. Security definer: the ancestors' rows are
-- not visible to the tenant's own admins. Refused for every signed-in caller
-- and the owner; the named service-role paths (an archive restored or
-- imported under an MSSP that has since locked a setting) may write a value
-- below a lock, which the lock then overrules (settings.resolve), so a
-- restore never fails on a setting.
create function settings.refuse_under_lock() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  holder record;
begin
  if (select auth.role()) = 'service_role' then
    return new;
  end if;
  select a.name as tenant, coalesce(u.name, u.email, 'unknown') as who
    into holder
    from public.tenants t
    join public.tenants a on a.path operator(extensions.@>) t.path and a.id <> t.id
    join public.tenant_settings s on s.tenant_id = a.id and s.key = new.key and s.locked
    left join public.users u on u.id = s.changed_by
   where t.id = new.tenant_id
   order by extensions.nlevel(a.path)
   limit 1;
  if found then
    raise exception '% is locked by % (%)', new.key, holder.tenant, holder.who
      using errcode = '42501', hint = 'setting_locked';
  end if;
  return new;
end
$$;

-- What the customer bought (features.*, limits.*, integrations.*) is the
-- MSSP's to set: a signed-in caller (authenticated) must hold mssp_admin on
-- the tenant. The service role (provisioning, restores) and the owner are not
-- asked. Security invoker, so current_user is the caller's role.
create function settings.refuse_customer_write() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if split_part(new.key, '.', 1) in ('features', 'limits', 'integrations')
     and current_user::text = 'authenticated'
     and not (new.tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}')))) then
    raise exception '% is set by the MSSP only', new.key
      using errcode = '42501', hint = 'setting_mssp_only';
  end if;
  return new;
end
$$;

-- Fired in name order: the lock first (its message says more).
create trigger tenant_settings_1_locked
  before insert or update on public.tenant_settings
  for each row execute function settings.refuse_under_lock();
create trigger tenant_settings_2_mssp_only
  before insert or update on public.tenant_settings
  for each row execute function settings.refuse_customer_write();

revoke all on function settings.resolve(uuid[]), settings.effective(uuid[]), settings.value_of(uuid, text),
                       settings.refuse_under_lock(), settings.refuse_customer_write()
  from public, anon, authenticated, service_role, portal_app;
grant execute on function settings.effective(uuid[]) to authenticated, service_role;
grant execute on function settings.resolve(uuid[]), settings.value_of(uuid, text) to service_role;

-- ---------------------------------------------------------------------------
-- tenants.require_mfa → session.mfa_required
-- ---------------------------------------------------------------------------
insert into public.tenant_settings (tenant_id, key, value, locked, changed_by, changed_at)
select t.id, 'session.mfa_required', 'true'::jsonb, false, null, now()
  from public.tenants t
 where t.require_mfa;

drop policy "Admins change security settings of tenants they administer" on public.tenants;
revoke update (require_mfa) on public.tenants from authenticated;
alter table public.tenants drop column require_mfa;

-- Same meaning as before, on the setting: required for an mssp_* role, or a
-- membership whose tenant is at, under or above a tenant where the setting
-- is on (its own value true, and not overruled by a lock above it). The
-- registry's default for session.mfa_required is false (set nowhere: not
-- required); lib/settings/registry.ts says so too and a test pins both.
create or replace function sessions.mfa_required(p_user uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
      from public.memberships m
      join public.tenants t on t.id = m.tenant_id
     where m.user_id = p_user
       and (m.role like 'mssp\_%'
            or exists (select 1
                         from public.tenant_settings s
                         join public.tenants r on r.id = s.tenant_id
                        where s.key = 'session.mfa_required'
                          and s.value = 'true'::jsonb
                          and (r.path operator(extensions.@>) t.path
                               or r.path operator(extensions.<@) t.path)
                          and settings.value_of(r.id, 'session.mfa_required') = 'true'::jsonb)))
$$;
revoke all on function sessions.mfa_required(uuid) from public, anon, authenticated, service_role;
grant execute on function sessions.mfa_required(uuid) to service_role;
