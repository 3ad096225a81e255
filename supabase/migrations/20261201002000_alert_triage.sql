-- Alert triage (issue 10, item 3): a status workflow, an assignee who may work
-- the alert, comments and a per-alert timeline, plus what the list needs
-- (full-text search, an assignee filter) and per-user saved filters.
--
--   new ─▶ acknowledged ─▶ in_progress ─▶ resolved | false_positive
--    │          └────────────────────────▶ resolved | false_positive
--    └─▶ false_positive (dismissed on sight)
--   resolved | false_positive ─▶ in_progress (reopened)
--
-- The transitions are enforced here, once, by a BEFORE trigger, whoever
-- writes (the portal, a Supabase client holding an authenticated token, a job):
-- lib/alerts/workflow.ts only decides which buttons to offer, and
-- tests/alert-triage.test.ts checks it agrees with this function pair by pair.
-- Closing needs a reason; reopening clears it (the timeline keeps it).
-- The assignee must hold an analyst or admin role on the alert's tenant or an
-- ancestor (a member of the tenant, or MSSP staff covering it).
--
-- The former 'investigating' becomes 'in_progress' (same meaning); the
-- rollback maps acknowledged and in_progress back to it.
--
-- Checks raise SQLSTATE 23514 with a hint naming the rule (alert_transition,
-- alert_close_reason, alert_assignee); lib/alerts/triage.ts turns each into a
-- sentence of its own, never showing the database's text.

create schema triage;
revoke all on schema triage from public, anon, authenticated, service_role, portal_app;

-- ---------------------------------------------------------------------------
-- Statuses
-- ---------------------------------------------------------------------------
alter table public.alerts drop constraint alerts_status_check;
update public.alerts set status = 'in_progress' where status = 'investigating';
alter table public.alerts add constraint alerts_status_check
  check (status in ('new', 'acknowledged', 'in_progress', 'resolved', 'false_positive'));

alter table public.alerts
  add column acknowledged_at timestamptz,
  add column close_reason text check (length(close_reason) between 1 and 1000),
  -- The list's full-text search: one GIN index over what a person would type
  -- (words of the title and description, the host, the rule, the source).
  -- Stored, so the index and the query read the same expression by name.
  add column search tsvector generated always as (
    to_tsvector('english'::regconfig,
      title || ' ' || description || ' ' || coalesce(hostname, '') || ' ' || coalesce(rule_name, '') || ' ' || source)
  ) stored;

create index alerts_search on public.alerts using gin (search);
-- "Assigned to me" and the assignee filter within a tenant.
create index alerts_tenant_assignee on public.alerts (tenant_id, assigned_to, detected_at desc) where assigned_to is not null;

-- ---------------------------------------------------------------------------
-- The workflow
-- ---------------------------------------------------------------------------
create function triage.transition_allowed(from_status text, to_status text) returns boolean
  language sql immutable
  set search_path = ''
  as $$
    select (from_status, to_status) in (
      ('new', 'acknowledged'), ('new', 'false_positive'),
      ('acknowledged', 'in_progress'), ('acknowledged', 'resolved'), ('acknowledged', 'false_positive'),
      ('in_progress', 'resolved'), ('in_progress', 'false_positive'),
      ('resolved', 'in_progress'), ('false_positive', 'in_progress'))
  $$;

-- Who may be assigned an alert of `tenant`: an analyst or admin of it or of an
-- ancestor. Security definer because a tenant analyst cannot see the MSSP's
-- memberships above them; it answers yes or no about one user and one tenant.
create function triage.is_assignable(tenant uuid, assignee uuid) returns boolean
  language sql stable security definer
  set search_path = ''
  as $$
    select exists (
      select 1
        from public.memberships m
        join public.tenants a on a.id = m.tenant_id
        join public.tenants t on t.id = tenant
       where m.user_id = assignee
         and m.role in ('mssp_admin', 'mssp_analyst', 'tenant_admin', 'tenant_analyst')
         and a.path operator(extensions.@>) t.path)
  $$;

create function triage.check_alert_change() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  if new.status is distinct from old.status then
    if not triage.transition_allowed(old.status, new.status) then
      raise exception 'an alert cannot go from % to %', old.status, new.status
        using errcode = '23514', hint = 'alert_transition';
    end if;
    if old.status = 'new' then
      new.acknowledged_at := coalesce(new.acknowledged_at, now());
    end if;
    if new.status in ('resolved', 'false_positive') then
      if new.close_reason is null or btrim(new.close_reason) = '' then
        raise exception 'closing an alert needs a reason' using errcode = '23514', hint = 'alert_close_reason';
      end if;
      new.resolved_at := now();
    else
      -- Reopened: no longer closed; the reason stays in the timeline.
      new.resolved_at := null;
      new.close_reason := null;
    end if;
  elsif new.close_reason is distinct from old.close_reason then
    raise exception 'a close reason changes only when the alert is closed' using errcode = '23514', hint = 'alert_close_reason';
  end if;
  if new.assigned_to is distinct from old.assigned_to and new.assigned_to is not null
     and not triage.is_assignable(new.tenant_id, new.assigned_to) then
    raise exception 'this person cannot be assigned alerts of this tenant' using errcode = '23514', hint = 'alert_assignee';
  end if;
  return new;
end
$$;

-- Named to sort after tenant_id_immutable (BEFORE triggers fire by name), so
-- a moved row gets that guard's refusal first.
create trigger workflow_guard before update on public.alerts
  for each row
  when (old.status is distinct from new.status
        or old.assigned_to is distinct from new.assigned_to
        or old.close_reason is distinct from new.close_reason)
  execute function triage.check_alert_change();

-- ---------------------------------------------------------------------------
-- The timeline: status changes and assignments (written by the trigger below,
-- whoever made the change; actor null = a system job) and comments (inserted
-- by people, under RLS). Creation is the alert's own created_at. Nothing is
-- edited or deleted; rows go with their alert.
-- ---------------------------------------------------------------------------
create table public.alert_events (
  tenant_id      uuid not null references public.tenants (id) on delete cascade,
  id             uuid not null default gen_random_uuid(),
  alert_id       uuid not null,
  kind           text not null check (kind in ('status', 'assignment', 'comment')),
  actor_id       uuid references public.users (id) on delete set null,
  from_status    text,
  to_status      text,
  from_assignee  uuid references public.users (id) on delete set null,
  to_assignee    uuid references public.users (id) on delete set null,
  -- The close reason of a status event, or a comment's text.
  body           text check (length(body) between 1 and 4000),
  created_at     timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, alert_id) references public.alerts (tenant_id, id) on delete cascade,
  check (kind <> 'status' or to_status is not null),
  check (kind <> 'comment' or (body is not null and actor_id is not null))
);
create index alert_events_alert on public.alert_events (tenant_id, alert_id, created_at, id);

create function triage.record_alert_change() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  -- A connection that once ran withTenant holds '' here after the transaction
  -- (SET LOCAL reverts to empty, not to unset): no claims, no actor.
  actor uuid := nullif(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', '')::uuid;
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

create trigger workflow_timeline after update on public.alerts
  for each row
  when (old.status is distinct from new.status or old.assigned_to is distinct from new.assigned_to)
  execute function triage.record_alert_change();

alter table public.alert_events enable row level security;
alter table public.alert_events force row level security;

create policy "Alert timelines are visible to members of the tenant or an ancestor"
  on public.alert_events for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Analysts and admins comment on alerts in their tenants, as themselves"
  on public.alert_events for insert to authenticated
  with check (kind = 'comment'
              and actor_id = (select auth.uid())
              and tenant_id = any (array(select tenancy.tenant_ids_with_role(
                '{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))));

-- ---------------------------------------------------------------------------
-- Saved filters: a person's named alert-list queries, per tenant (the host's
-- tenant, or on the console their MSSP). Only their own are visible.
-- ---------------------------------------------------------------------------
create table public.alert_saved_filters (
  tenant_id   uuid not null references public.tenants (id) on delete cascade,
  id          uuid not null default gen_random_uuid(),
  user_id     uuid not null references public.users (id) on delete cascade,
  name        text not null check (length(name) between 1 and 80),
  -- The list's query string as lib/url/list-query.ts writes it ("?q=…&status=…").
  query       text not null check (length(query) <= 1000),
  created_at  timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, user_id, name)
);

alter table public.alert_saved_filters enable row level security;
alter table public.alert_saved_filters force row level security;

create policy "People see their own saved filters in tenants they can see"
  on public.alert_saved_filters for select to authenticated
  using (user_id = (select auth.uid()) and tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "People save their own filters in tenants they can see"
  on public.alert_saved_filters for insert to authenticated
  with check (user_id = (select auth.uid()) and tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "People delete their own saved filters"
  on public.alert_saved_filters for delete to authenticated
  using (user_id = (select auth.uid()) and tenant_id = any (array(select tenancy.visible_tenant_ids())));

-- ---------------------------------------------------------------------------
-- Guards every tenant-scoped table carries, and grants (revoke first)
-- ---------------------------------------------------------------------------
select tenancy.add_tenant_id_guard('public.alert_events');
select tenancy.add_tenant_id_guard('public.alert_saved_filters');
select tenancy.add_frozen_write_policies('public.alert_events', 'tenant_id');
select tenancy.add_frozen_write_policies('public.alert_saved_filters', 'tenant_id');

revoke all on table public.alert_events, public.alert_saved_filters
  from public, anon, authenticated, service_role, portal_app;
grant select, insert on public.alert_events to authenticated;
grant select, insert, delete on public.alert_saved_filters to authenticated;
grant select, insert, update, delete on public.alert_events, public.alert_saved_filters to service_role;

revoke all on all functions in schema triage from public, anon, authenticated, service_role, portal_app;
