-- Rollback of 20261201025300_users_visible_per_row: the users policy of
-- 20261123000100 again, and no per-row helper.
alter policy "Users see themselves and the members of tenants they can see" on public.users
  using (
    id = (select auth.uid())
    or exists (
      select 1 from public.memberships m
       where m.user_id = users.id
         and m.tenant_id = any (array(select tenancy.visible_tenant_ids()))
    )
  );

drop function tenancy.user_is_visible(uuid);
