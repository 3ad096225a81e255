-- At most 50 assignee groups per tenant.
--
-- Why: nothing bounded them, and a tenant's groups serve it and every tenant below it:
-- workflows.groups_for (20261201011000) reads a tenant's own groups and all its ancestors' on every
-- alert page (the group picker, the list's filter), for every customer below an MSSP. One admin
-- could make every alert page below them as slow and its picker as long as they liked. 50 is far
-- more than the teams of a SOC ("Tier 1 SOC", "Acme on-call"), and keeps a site's picker (its own,
-- its customer's and its MSSP's groups) to a readable length.
--
-- How: as workflows.refuse_past_channel_limit (migration 20261201029900): a BEFORE INSERT trigger
-- takes a transaction-level advisory lock for the tenant's groups, then counts them; the 51st is
-- refused (SQLSTATE 54000, hint group_limit). The lock makes two concurrent inserts take turns.
-- Every writer but the service role (a restored archive writes a tenant's groups back as they were).
-- lib/groups/store.ts GROUPS_PER_TENANT is the same number and turns the refusal into the form's
-- message (tests/groups-limit.test.ts checks both).

create function workflows.refuse_past_group_limit() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  max_groups constant integer := 50;
begin
  if current_setting('role') = 'service_role' then
    return new;
  end if;
  perform pg_advisory_xact_lock(hashtext('assignee_groups'), hashtext(new.tenant_id::text));
  if (select count(*) from public.assignee_groups g where g.tenant_id = new.tenant_id) >= max_groups then
    raise exception 'this tenant already has % assignee groups, the most it may have', max_groups
      using errcode = '54000', hint = 'group_limit';
  end if;
  return new;
end
$$;
revoke all on function workflows.refuse_past_group_limit() from public, anon, authenticated, service_role, portal_app;

create trigger assignee_groups_limit before insert on public.assignee_groups
  for each row execute function workflows.refuse_past_group_limit();
