-- The tenant tree (MSSP -> customer -> site, any depth) and memberships.
--
-- Authority comes from this file: a membership gives a user one role on one
-- tenant and on everything below it. The helpers at the end are what every
-- RLS policy calls; they are security definer with a pinned search_path, take
-- no row arguments, and are meant to be wrapped as `(select ...)` so Postgres
-- evaluates them once per statement (an initPlan), never once per row.

create schema if not exists tenancy;
grant usage on schema tenancy to authenticated, service_role, supabase_auth_admin;

create table public.tenants (
  id          uuid primary key default gen_random_uuid(),
  parent_id   uuid references public.tenants (id) on delete restrict,
  slug        text not null unique
              check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) between 2 and 63),
  name        text not null check (length(btrim(name)) between 1 and 200),
  kind        text not null check (kind in ('mssp', 'customer', 'site')),
  status      text not null default 'active' check (status in ('active', 'suspended')),
  -- Maintained by tenancy.maintain_tenant_path(); never written by hand.
  path        extensions.ltree not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  -- Only an MSSP may be a root, and an MSSP is always a root.
  constraint tenants_root_is_mssp check ((parent_id is null) = (kind = 'mssp'))
);

create index tenants_path_gist on public.tenants using gist (path);
create index tenants_parent_id on public.tenants (parent_id);

-- ltree labels on Postgres 15 allow only [A-Za-z0-9_]; slugs allow only
-- [a-z0-9-], so mapping '-' to '_' is one-to-one.
create function tenancy.slug_label(slug text) returns text
  language sql immutable strict
  set search_path = ''
  as $$ select replace(slug, '-', '_') $$;

-- Keeps path right on insert, on a slug change and when a subtree moves, and
-- refuses a move that would make a tenant its own ancestor. The path is always
-- derived from the parent's current path, so a hand-written value is ignored
-- and a child touched by cascade_tenant_path() picks up its parent's new path.
create function tenancy.maintain_tenant_path() returns trigger
  -- Definer: the path derives from the parent, which the caller's RLS may
  -- hide (a customer admin changing a setting on their own tenant).
  language plpgsql security definer
  set search_path = pg_catalog, extensions
  as $$
declare
  parent_path extensions.ltree;
begin
  if new.parent_id is null then
    new.path := tenancy.slug_label(new.slug)::extensions.ltree;
  else
    select t.path into parent_path from public.tenants t where t.id = new.parent_id;
    if parent_path is null then
      raise exception 'parent tenant % does not exist', new.parent_id using errcode = '23503';
    end if;
    if tg_op = 'UPDATE' and parent_path <@ old.path then
      raise exception 'tenant % cannot move under its own subtree', old.slug using errcode = '23514';
    end if;
    new.path := parent_path || tenancy.slug_label(new.slug)::extensions.ltree;
  end if;
  if tg_op = 'UPDATE' and new.path is distinct from old.path then
    new.updated_at := now();
  end if;
  return new;
end
$$;

create trigger tenants_maintain_path
  before insert or update on public.tenants
  for each row execute function tenancy.maintain_tenant_path();

-- After a tenant's path changes, re-derive its children's paths; each child's
-- own update fires this again, so the whole subtree follows, level by level.
-- (Not `after update of path`: a column-specific trigger does not fire when
-- only a BEFORE trigger changed the column, as a slug change or a move does.)
create function tenancy.cascade_tenant_path() returns trigger
  -- Definer: the path derives from the parent, which the caller's RLS may
  -- hide (a customer admin changing a setting on their own tenant).
  language plpgsql security definer
  set search_path = pg_catalog, extensions
  as $$
begin
  if new.path is distinct from old.path then
    update public.tenants d set path = d.path where d.parent_id = new.id;
  end if;
  return null;
end
$$;

create trigger tenants_cascade_path
  after update on public.tenants
  for each row execute function tenancy.cascade_tenant_path();

create table public.users (
  id                   uuid primary key default gen_random_uuid(),
  email                text not null,
  name                 text not null default '',
  -- argon2id PHC string. Never granted to authenticated; read only by the
  -- sign-in service path.
  password_hash        text,
  failed_login_count   integer not null default 0,
  locked_until         timestamptz,
  last_login_at        timestamptz,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  constraint users_email_lowercase check (email = lower(btrim(email)) and position('@' in email) > 1)
);
create unique index users_email_key on public.users (email);

create table public.memberships (
  tenant_id   uuid not null references public.tenants (id) on delete cascade,
  user_id     uuid not null references public.users (id) on delete cascade,
  role        text not null check (role in
                ('mssp_admin', 'mssp_analyst', 'tenant_admin', 'tenant_analyst', 'tenant_viewer')),
  created_at  timestamptz not null default now(),
  primary key (tenant_id, user_id)
);
create index memberships_user_id on public.memberships (user_id, tenant_id);

-- MSSP roles only exist on an MSSP tenant: they are the operator's roles.
create function tenancy.check_membership_role() returns trigger
  language plpgsql
  set search_path = pg_catalog
  as $$
declare
  tenant_kind text;
begin
  select t.kind into tenant_kind from public.tenants t where t.id = new.tenant_id;
  if (new.role like 'mssp\_%') <> (tenant_kind = 'mssp') then
    raise exception 'role % cannot be held on a % tenant', new.role, tenant_kind using errcode = '23514';
  end if;
  return new;
end
$$;

create trigger memberships_check_role
  before insert or update on public.memberships
  for each row execute function tenancy.check_membership_role();

-- ---------------------------------------------------------------------------
-- Policy helpers
-- ---------------------------------------------------------------------------

-- The active tenant named in the claims, if the caller may see it. The claim
-- can only narrow scope: a tenant the caller holds no membership covering is
-- treated as an empty scope, never as a wider one.
create function tenancy.active_tenant_id() returns uuid
  language sql stable
  set search_path = ''
  as $$
    select nullif((select auth.jwt()) ->> 'tenant_id', '')::uuid
  $$;

-- Every tenant the caller may see: the subtrees under their memberships,
-- intersected with the active tenant's subtree when a tenant is active.
create function tenancy.visible_tenant_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
  as $$
    with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active),
    roots as (
      select mt.path
        from public.memberships m
        join public.tenants mt on mt.id = m.tenant_id
       where m.user_id = (select uid from me)
    ),
    -- The subtrees to search: the active tenant's when one is active (a GiST
    -- scan of one subtree, not a probe per tenant), else each membership root's.
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

-- Tenants where the caller holds one of `roles` (on the tenant or an
-- ancestor), narrowed by the active tenant like visible_tenant_ids().
create function tenancy.tenant_ids_with_role(roles text[]) returns setof uuid
  language sql stable security definer
  set search_path = ''
  as $$
    with me as (select auth.uid() as uid, tenancy.active_tenant_id() as active),
    roots as (
      select mt.path
        from public.memberships m
        join public.tenants mt on mt.id = m.tenant_id
       where m.user_id = (select uid from me) and m.role = any (roles)
    ),
    -- The subtrees to search: the active tenant's when one is active (a GiST
    -- scan of one subtree, not a probe per tenant), else each membership root's.
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

revoke execute on all functions in schema tenancy from public;
grant execute on function tenancy.active_tenant_id(), tenancy.visible_tenant_ids(),
  tenancy.tenant_ids_with_role(text[]) to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- RLS
-- ---------------------------------------------------------------------------
alter table public.tenants enable row level security;
alter table public.tenants force row level security;
alter table public.users enable row level security;
alter table public.users force row level security;
alter table public.memberships enable row level security;
alter table public.memberships force row level security;

grant select on public.tenants to authenticated;
grant select, insert, update, delete on public.tenants, public.memberships, public.users to service_role;
grant select on public.memberships to authenticated;
-- Column grants: password hash and lockout counters stay out of reach.
grant select (id, email, name, created_at) on public.users to authenticated;
grant update (name) on public.users to authenticated;

create policy "Tenants are visible to members of the tenant or an ancestor"
  on public.tenants for select to authenticated
  using (id = any (array(select tenancy.visible_tenant_ids())));

-- A user always sees their own memberships (that is how the tenant switcher
-- lists them); other memberships are visible within the caller's scope.
create policy "Memberships are visible to the member and within the caller's tenants"
  on public.memberships for select to authenticated
  using (user_id = (select auth.uid()) or tenant_id = any (array(select tenancy.visible_tenant_ids())));

create policy "Users see themselves and the members of tenants they can see"
  on public.users for select to authenticated
  using (
    id = (select auth.uid())
    or exists (
      select 1 from public.memberships m
       where m.user_id = users.id
         and m.tenant_id = any (array(select tenancy.visible_tenant_ids()))
    )
  );

create policy "Users update only their own profile"
  on public.users for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));
