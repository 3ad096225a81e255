-- Assignee groups (issue 10, item 4: "assign to group X"): named sets of the
-- people who may be assigned a tenant's alerts ("Tier 1 SOC", "Acme on-call"),
-- and an alert's group beside its person.
--
-- public.assignee_groups: a tenant's groups, name unique per tenant (case and
--   surrounding spaces ignored). A group applies to its tenant and every
--   tenant below it, as rules do: an alert may be assigned a group of its own
--   tenant or of an ancestor (the MSSP's "Tier 1 SOC" serves every customer).
-- public.assignee_group_members: who is in a group. Only someone who may be
--   assigned the group's tenant's alerts (triage.is_assignable: an analyst or
--   admin of the tenant or an ancestor) can be a member; anyone assignable at
--   a tenant is assignable at every tenant below it, so an inherited group's
--   members may work the alerts it is given. A member who loses that role, or
--   whose tenant moves away from the MSSP that made them eligible, leaves the
--   groups they no longer qualify for (triggers below).
-- public.alerts.assigned_group_tenant_id / assigned_group_id: the group, by
--   its full key. Refused by trigger (SQLSTATE 23514, hint alert_group) when the
--   group is not of the alert's tenant or an ancestor, whoever writes, on
--   insert and update. Deleting a group clears it from its alerts (the foreign
--   key); a tenant moving away from the group's tenant clears it too.
-- public.alert_events kind 'group': the timeline entry, written by trigger
--   after the change (body: the group's name, kept after the group is gone).
--
-- Who may change groups: admins of the tenant or an ancestor (policy); the
-- portal asks the PDP for users:manage first (lib/actions/groups).
-- workflows.groups_for(tenant): a tenant's own and inherited groups, for a
-- tenant the caller can see (customers' people cannot read the MSSP's rows).

-- ---------------------------------------------------------------------------
-- Groups and members
-- ---------------------------------------------------------------------------
create table public.assignee_groups (
  tenant_id   uuid not null references public.tenants (id) on delete cascade,
  id          uuid not null default gen_random_uuid(),
  name        text not null check (length(btrim(name)) between 1 and 80),
  created_at  timestamptz not null default now(),
  created_by  uuid references public.users (id) on delete set null,
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, id)
);
create unique index assignee_groups_name_unique on public.assignee_groups (tenant_id, lower(btrim(name)));
create trigger assignee_groups_touch before update on public.assignee_groups
  for each row execute function tenancy.touch_updated_at();

create table public.assignee_group_members (
  tenant_id   uuid not null references public.tenants (id) on delete cascade,
  group_id    uuid not null,
  user_id     uuid not null references public.users (id) on delete cascade,
  added_at    timestamptz not null default now(),
  added_by    uuid references public.users (id) on delete set null,
  primary key (tenant_id, group_id, user_id),
  foreign key (tenant_id, group_id) references public.assignee_groups (tenant_id, id) on delete cascade
);
-- "Assigned to my groups" and the groups one belongs to.
create index assignee_group_members_user on public.assignee_group_members (user_id);

create function triage.check_group_member() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  -- A restore writes the archive's members, whose memberships may come later in
  -- its order (tables unrelated by foreign keys); the archive was checked when written.
  if keyring.restoring(new.tenant_id) then
    return new;
  end if;
  if not triage.is_assignable(new.tenant_id, new.user_id) then
    raise exception 'this person cannot be assigned alerts of this tenant, so cannot be in its groups'
      using errcode = '23514', hint = 'group_member';
  end if;
  return new;
end
$$;
create trigger assignee_group_members_eligible before insert or update on public.assignee_group_members
  for each row execute function triage.check_group_member();

alter table public.assignee_groups enable row level security;
alter table public.assignee_groups force row level security;
alter table public.assignee_group_members enable row level security;
alter table public.assignee_group_members force row level security;

create policy "Groups are visible to members of the tenant or an ancestor"
  on public.assignee_groups for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Admins add groups to their tenants"
  on public.assignee_groups for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins rename groups of their tenants"
  on public.assignee_groups for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins remove groups of their tenants"
  on public.assignee_groups for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));

-- One policy (two permissive ones would both be evaluated): members of the tenant or an ancestor
-- see its groups' members, and everyone sees the groups they are in themselves (a customer's
-- analyst in the MSSP's "Tier 1 SOC" reads that, for "assigned to my groups").
create policy "Group members are visible to members of the tenant or an ancestor, and to themselves"
  on public.assignee_group_members for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())) or user_id = (select auth.uid()));
create policy "Admins add people to groups of their tenants"
  on public.assignee_group_members for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins remove people from groups of their tenants"
  on public.assignee_group_members for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));

select tenancy.add_frozen_write_policies('public.assignee_groups', 'tenant_id');
select tenancy.add_frozen_write_policies('public.assignee_group_members', 'tenant_id');
select tenancy.add_tenant_id_guard('public.assignee_groups');
select tenancy.add_tenant_id_guard('public.assignee_group_members');

revoke all on public.assignee_groups, public.assignee_group_members from public, anon, authenticated, service_role, portal_app;
grant select, insert, update, delete on public.assignee_groups to authenticated, service_role;
grant select, insert, delete on public.assignee_group_members to authenticated;
grant select, insert, update, delete on public.assignee_group_members to service_role;

-- A tenant's own groups and its ancestors' (inherited), for a tenant the
-- caller can see; nothing for any other. Security definer because a
-- customer's people cannot read the MSSP's rows. Names and counts only: the
-- MSSP's staff in an inherited group stay out of a customer's sight.
create function workflows.groups_for(tenant uuid)
  returns table (tenant_id uuid, tenant_name text, depth integer, id uuid, name text, member_count integer)
  language sql stable security definer
  set search_path = ''
  as $$
    select g.tenant_id, a.name, extensions.nlevel(a.path), g.id, g.name,
           (select count(*)::integer from public.assignee_group_members m where m.tenant_id = g.tenant_id and m.group_id = g.id)
      from public.tenants t
      join public.tenants a on a.path operator(extensions.@>) t.path
      join public.assignee_groups g on g.tenant_id = a.id
     where t.id = tenant
       and (auth.role() = 'service_role' or tenant = any (array(select tenancy.visible_tenant_ids())))
     order by extensions.nlevel(a.path), lower(g.name)
  $$;
revoke all on function workflows.groups_for(uuid) from public, anon, authenticated, service_role;
grant execute on function workflows.groups_for(uuid) to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- An alert's group
-- ---------------------------------------------------------------------------
alter table public.alerts
  add column assigned_group_tenant_id uuid,
  add column assigned_group_id uuid,
  add constraint alerts_assigned_group_pair check ((assigned_group_tenant_id is null) = (assigned_group_id is null)),
  add constraint alerts_assigned_group_fkey foreign key (assigned_group_tenant_id, assigned_group_id)
    references public.assignee_groups (tenant_id, id) on delete set null;
-- The list's group filter within a tenant, and the foreign key's lookups on delete.
create index alerts_tenant_group on public.alerts (tenant_id, assigned_group_id, detected_at desc) where assigned_group_id is not null;
create index alerts_assigned_group on public.alerts (assigned_group_tenant_id, assigned_group_id) where assigned_group_id is not null;

-- The group must be of the alert's tenant or an ancestor. Security definer:
-- a customer's analyst cannot read the MSSP's group rows it is checked against.
create function triage.check_alert_group() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  if new.assigned_group_id is not null and not exists (
       select 1
         from public.assignee_groups g
         join public.tenants gt on gt.id = g.tenant_id
         join public.tenants at on at.id = new.tenant_id
        where g.tenant_id = new.assigned_group_tenant_id and g.id = new.assigned_group_id
          and gt.path operator(extensions.@>) at.path) then
    raise exception 'this group cannot be assigned alerts of this tenant' using errcode = '23514', hint = 'alert_group';
  end if;
  return new;
end
$$;
create trigger workflow_group_guard before insert or update of assigned_group_tenant_id, assigned_group_id on public.alerts
  for each row when (new.assigned_group_id is not null)
  execute function triage.check_alert_group();

-- The timeline: one 'group' event per change (actor: the claims' person, none for a job).
alter table public.alert_events
  add column from_group uuid,
  add column to_group uuid,
  drop constraint alert_events_kind_check,
  add constraint alert_events_kind_check check (kind in ('status', 'assignment', 'comment', 'group'));

create function triage.record_alert_group_change() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  actor uuid := nullif(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', '')::uuid;
  shown uuid := coalesce(new.assigned_group_id, old.assigned_group_id);
  label text;
begin
  select g.name into label from public.assignee_groups g
   where g.id = shown and g.tenant_id = coalesce(new.assigned_group_tenant_id, old.assigned_group_tenant_id);
  insert into public.alert_events (tenant_id, alert_id, kind, actor_id, from_group, to_group, body)
  values (new.tenant_id, new.id, 'group',
          case when exists (select 1 from public.users u where u.id = actor) then actor end,
          old.assigned_group_id, new.assigned_group_id, coalesce(label, 'a group since deleted'));
  return null;
end
$$;
create trigger workflow_group_timeline after update on public.alerts
  for each row when (old.assigned_group_id is distinct from new.assigned_group_id)
  execute function triage.record_alert_group_change();

-- ---------------------------------------------------------------------------
-- Eligibility kept true after the fact
-- ---------------------------------------------------------------------------
-- A person whose role no longer lets them be assigned (removed, or made a
-- viewer) leaves the groups of the tenants concerned.
create function triage.prune_group_members_of_user() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  delete from public.assignee_group_members m
   where m.user_id = old.user_id and not triage.is_assignable(m.tenant_id, m.user_id);
  return null;
end
$$;
create trigger memberships_prune_groups after delete or update of role on public.memberships
  for each row execute function triage.prune_group_members_of_user();

-- A tenant that moves (a new parent, a new path): its alerts lose a group that
-- is no longer of an ancestor, and its groups lose members who were eligible
-- only through the old ancestors. Fires for each tenant of a moved subtree.
create function triage.prune_groups_after_move() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  update public.alerts a set assigned_group_tenant_id = null, assigned_group_id = null
   where a.tenant_id = new.id and a.assigned_group_id is not null and a.assigned_group_tenant_id <> new.id
     and not exists (select 1 from public.tenants g
                      where g.id = a.assigned_group_tenant_id and g.path operator(extensions.@>) new.path);
  delete from public.assignee_group_members m
   where m.tenant_id = new.id and not triage.is_assignable(m.tenant_id, m.user_id);
  return null;
end
$$;
create trigger tenants_prune_groups after update on public.tenants
  for each row when (old.path::text is distinct from new.path::text)
  execute function triage.prune_groups_after_move();

revoke all on function triage.check_group_member(), triage.check_alert_group(), triage.record_alert_group_change(),
  triage.prune_group_members_of_user(), triage.prune_groups_after_move()
  from public, anon, authenticated, service_role, portal_app;
