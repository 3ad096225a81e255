-- Alerts and assets are created by API keys only; the asset limit and the triage feature hold in
-- the database, whoever writes as `authenticated`.
--
-- Why: a member (acmeAnalyst through a Supabase Data API) could
--   * insert alerts directly: never metered as alerts_ingested (only lib/ingest/alerts.ts records
--     it, meterIngestedAlerts), so never billed, and outside limits.api_ingest_per_day, which the
--     API gateway counts per request;
--   * insert assets past limits.assets (checked only by lib/ingest/assets.ts, assetRoom), and insert
--     or update any column of an asset, its id, created_at and updated_at included;
--   * triage (status, close reason, assignee, group) and comment on alerts of a tenant whose
--     features.alert_triage is off: only the server actions and PATCH /alerts/{id} asked.
--
-- Who writes these tables as `authenticated` (SET ROLE in withTenant, or a Data API): people never
-- create alerts or assets in the portal; POST /api/v1/alerts and POST /api/v1/assets
-- (lib/ingest) do, and the gateway takes API keys only (the collector posts through it with its
-- own key). Triage is people (lib/actions/alerts) and keys (PATCH /alerts/{id}). The rules engine
-- and escalations are the service role; the demo seed is the owner; a restore is the service role.
--
-- How:
--   * alerts INSERT, assets INSERT and UPDATE: the policies also ask for an API key's claims
--     (tenancy.api_key_id(): claims.api_key.id = sub, which only public.api_key_access_token builds,
--     in the portal's own session; a person's token never carries it) holding the write scope of
--     the endpoint (alerts:write, assets:write). Each is an InitPlan, evaluated once per statement:
--     nothing per row on the ingestion path. Every alert `authenticated` can create is then one of
--     lib/ingest/alerts.ts, metered by it and counted by the gateway against
--     limits.api_ingest_per_day: no metering trigger, so nothing is counted twice.
--   * assets column grants: what ingestion writes. id, created_at and updated_at take their
--     defaults (and the touch trigger); tenant_id is inserted, never updated (the tenant_id guard
--     refused it anyway).
--   * limits.assets: zz_assets_limit, an AFTER INSERT statement trigger on public.assets (one
--     check per statement, whatever the batch's size), for `authenticated` only (the owner's seeds
--     and the service role's restores write what they hold). It reads public.asset_counts, which
--     asset_counts_insert (fires first: AFTER triggers run by name) has just brought up to date in
--     the same statement; that upsert holds the tenant's counts row until commit, so the tenant's
--     concurrent inserters take turns and each sees the others' committed assets (READ COMMITTED).
--     A tenant with more assets than its effective limit refuses the statement (54000, hint
--     asset_limit). The limit is settings.value_of (the one resolution of the tree) within the
--     bounds and default of settings.integer_settings; a stored value out of bounds counts as not
--     set, as lib/settings reads it. lib/ingest/assets.ts still rejects the new assets past the
--     limit item by item first (assetRoom), so its batches never meet the trigger.
--   * features.alert_triage: workflow_feature_guard (BEFORE UPDATE of the triage columns of
--     public.alerts, per changed row) and comments_feature_guard (BEFORE INSERT of a comment into
--     public.alert_events) refuse (42501, hint alert_triage_off) when the tenant's effective value
--     (settings.value_of) is false, for `authenticated` at the statement it sent
--     (pg_trigger_depth() = 1): not the unassignments the database makes itself when a member
--     leaves or a group is deleted, not the service role's rules and escalations, not the owner.
--     Triage is a person's click or a key's PATCH: one settings lookup per changed row.

-- ---------------------------------------------------------------------------
-- Inserts by API keys only
-- ---------------------------------------------------------------------------
alter policy "Analysts and admins create alerts in their tenants" on public.alerts
  rename to "API keys with alerts:write create alerts in their tenants";
alter policy "API keys with alerts:write create alerts in their tenants" on public.alerts
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
              and (select tenancy.api_key_id()) is not null
              and ((select auth.jwt()) -> 'api_key' -> 'scopes') ? 'alerts:write');

alter policy "Analysts and admins register assets in their tenants" on public.assets
  rename to "API keys with assets:write register assets in their tenants";
alter policy "API keys with assets:write register assets in their tenants" on public.assets
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
              and (select tenancy.api_key_id()) is not null
              and ((select auth.jwt()) -> 'api_key' -> 'scopes') ? 'assets:write');

alter policy "Analysts and admins update assets in their tenants" on public.assets
  rename to "API keys with assets:write update assets in their tenants";
alter policy "API keys with assets:write update assets in their tenants" on public.assets
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
         and (select tenancy.api_key_id()) is not null
         and ((select auth.jwt()) -> 'api_key' -> 'scopes') ? 'assets:write')
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
              and (select tenancy.api_key_id()) is not null
              and ((select auth.jwt()) -> 'api_key' -> 'scopes') ? 'assets:write');

revoke insert, update on public.assets from authenticated;
grant insert (tenant_id, external_id, hostname, ip_address, os, kind, criticality, owner_email, last_seen_at)
  on public.assets to authenticated;
grant update (external_id, hostname, ip_address, os, kind, criticality, owner_email, last_seen_at)
  on public.assets to authenticated;

-- ---------------------------------------------------------------------------
-- limits.assets
-- ---------------------------------------------------------------------------
create function settings.refuse_past_asset_limit() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  over record;
begin
  -- The caller's role, not the owner's this function runs as.
  if current_setting('role') <> 'authenticated' then
    return null;
  end if;
  select c.tenant_id, c.assets, l.most into over
    from (select distinct a.tenant_id from added a) t
    join public.asset_counts c on c.tenant_id = t.tenant_id
    cross join lateral (
      select coalesce(settings.whole_number_within(settings.value_of(t.tenant_id, 'limits.assets'), b.min_value, b.max_value),
                      b.default_value) as most
        from settings.integer_settings b
       where b.key = 'limits.assets') l
   where c.assets > l.most
   limit 1;
  if found then
    raise exception 'this tenant may have at most % assets (limits.assets); this would make %', over.most, over.assets
      using errcode = '54000', hint = 'asset_limit';
  end if;
  return null;
end
$$;
revoke all on function settings.refuse_past_asset_limit() from public, anon, authenticated, service_role, portal_app;

create trigger zz_assets_limit after insert on public.assets
  referencing new table as added
  for each statement execute function settings.refuse_past_asset_limit();

-- ---------------------------------------------------------------------------
-- features.alert_triage
-- ---------------------------------------------------------------------------
create function triage.refuse_without_triage_feature() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  -- People and keys, at the statement they sent; not the database's own follow-ups, jobs or the owner.
  if current_setting('role') <> 'authenticated' or pg_trigger_depth() > 1 then
    return new;
  end if;
  if settings.value_of(new.tenant_id, 'features.alert_triage') = 'false'::jsonb then
    raise exception 'alert triage is not enabled for this tenant (features.alert_triage)'
      using errcode = '42501', hint = 'alert_triage_off';
  end if;
  return new;
end
$$;
revoke all on function triage.refuse_without_triage_feature() from public, anon, authenticated, service_role, portal_app;

-- Named to sort after tenant_id_immutable and before the workflow's own guards (BEFORE triggers
-- fire by name): a tenant without triage refuses before any transition is judged.
create trigger workflow_feature_guard
  before update of status, close_reason, assigned_to, assigned_group_tenant_id, assigned_group_id on public.alerts
  for each row
  when (old.status is distinct from new.status
        or old.close_reason is distinct from new.close_reason
        or old.assigned_to is distinct from new.assigned_to
        or old.assigned_group_tenant_id is distinct from new.assigned_group_tenant_id
        or old.assigned_group_id is distinct from new.assigned_group_id)
  execute function triage.refuse_without_triage_feature();

create trigger comments_feature_guard before insert on public.alert_events
  for each row when (new.kind = 'comment')
  execute function triage.refuse_without_triage_feature();
