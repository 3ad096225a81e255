-- Raw events, collectors and collector checkpoints are written by API keys only, in the columns
-- ingestion writes; the same rule 20261201031100 gave alerts and assets.
--
-- Why: the insert and update policies of these three tables (20261201010500, 20261201011500,
-- rewritten to the array helpers by 20261201027000) asked only for an analyst's or an admin's role,
-- and `authenticated` held INSERT (and for the collector tables UPDATE) on every column. A member
-- (acmeAnalyst through a Supabase Data API, or any SQL as a member) could
--   * store raw events: copy another alert's sealed blob onto an alert that has none, or any 30 bytes
--     to 1 MiB. The seal's AAD binds tenant, alert and key version (lib/ingest/raw.ts), so the copy
--     never opens as the other alert's payload; what it does achieve: the alert page shows a failed
--     integrity check and GET /alerts/{id} says has_raw_event on an alert nothing was ingested for;
--     every such row is unopenable, so each DEK rotation of the tenant ends in a permanent failure
--     and keeps the old key version live (lib/vault/rotation.ts, keyring.retire_tenant_key), and
--     nobody but the owner can remove the row (no DELETE for people); up to 1 MiB per alert counts
--     into the tenant's storage_bytes (lib/usage/snapshot.ts), unmetered as ingestion. created_at
--     was the caller's to choose.
--   * move a collector checkpoint's cursor: a SentinelOne cursor {"since": "2099-…"} and the
--     collector resumes past every threat the vendor still has to send, silently, its heartbeat
--     green; alerts_sent and last_sent_at (the status card) were set by hand.
--   * forge a collector's heartbeat (last_heartbeat_at far ahead: never stale, so lib/health and the
--     status cards report a dead collector as live), clear its last error, invent collectors, and set
--     any column, id, created_at and updated_at included.
--
-- Who writes these tables as `authenticated`: POST /alerts (lib/ingest/alerts.ts storeRaw, a key
-- with alerts:write) stores raw events in the transaction that creates their alerts; POST
-- /collectors/heartbeat (lib/ingest/collectors.ts) and POST /collectors/{name}/checkpoints
-- (lib/collector/checkpoints.ts), a key with collectors:write, write collectors and checkpoints. The
-- gateway takes API keys only, and a key's claims are built only in the portal's own sessions
-- (public.api_key_access_token): no person, no Data API. Nothing in the portal has people write
-- these rows; the DEK rotation (re-seal) and restores are the service role; seeds the owner.
--
-- How:
--   * the insert policies (and the collectors' and checkpoints' update policies) also ask for an API
--     key's claims (tenancy.api_key_id() is not null) holding the endpoint's scope (alerts:write,
--     collectors:write), as 20261201031100 did: InitPlans, once per statement. The tenant condition
--     is kept as it was (a key with a write scope holds an analyst's role on its tenant's subtree).
--   * column grants: what ingestion writes. created_at and updated_at (and a collector's id) are the
--     defaults' and the touch triggers'; tenant_id, a checkpoint's collector and credential, and a
--     collector's name are inserted, never updated. UPDATE and DELETE of raw events stay ungranted.
--   * deletes are unchanged: admins may still remove a collector (its checkpoints go with it) or
--     reset a checkpoint, through SQL (no portal page does); the collector then re-reads its
--     connectors from the start, and ingestion's idempotency (tenant, source, external id) answers
--     what it already holds as duplicates.

-- ---------------------------------------------------------------------------
-- Raw events: keys with alerts:write
-- ---------------------------------------------------------------------------
alter policy "Analysts and admins store raw events in their tenants" on public.alert_raw_events
  rename to "API keys with alerts:write store raw events in their tenants";
alter policy "API keys with alerts:write store raw events in their tenants" on public.alert_raw_events
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
              and (select tenancy.api_key_id()) is not null
              and ((select auth.jwt()) -> 'api_key' -> 'scopes') ? 'alerts:write');

revoke insert on public.alert_raw_events from authenticated;
grant insert (tenant_id, alert_id, sealed, key_version) on public.alert_raw_events to authenticated;

-- ---------------------------------------------------------------------------
-- Collectors: keys with collectors:write
-- ---------------------------------------------------------------------------
alter policy "Analysts and admins register collectors in their tenants" on public.collectors
  rename to "API keys with collectors:write register collectors";
alter policy "API keys with collectors:write register collectors" on public.collectors
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
              and (select tenancy.api_key_id()) is not null
              and ((select auth.jwt()) -> 'api_key' -> 'scopes') ? 'collectors:write');

alter policy "Analysts and admins report collector status in their tenants" on public.collectors
  rename to "API keys with collectors:write report collector status";
alter policy "API keys with collectors:write report collector status" on public.collectors
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
         and (select tenancy.api_key_id()) is not null
         and ((select auth.jwt()) -> 'api_key' -> 'scopes') ? 'collectors:write')
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
              and (select tenancy.api_key_id()) is not null
              and ((select auth.jwt()) -> 'api_key' -> 'scopes') ? 'collectors:write');

revoke insert, update on public.collectors from authenticated;
grant insert (tenant_id, name, version, hostname, last_heartbeat_at, last_pull_at, last_error, last_error_at)
  on public.collectors to authenticated;
grant update (version, hostname, last_heartbeat_at, last_pull_at, last_error, last_error_at)
  on public.collectors to authenticated;

-- ---------------------------------------------------------------------------
-- Collector checkpoints: keys with collectors:write
-- ---------------------------------------------------------------------------
-- (Their first names were cut at 63 characters by Postgres.)
alter policy "Analysts and admins record collector checkpoints in their tenan" on public.collector_checkpoints
  rename to "API keys with collectors:write record collector checkpoints";
alter policy "API keys with collectors:write record collector checkpoints" on public.collector_checkpoints
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
              and (select tenancy.api_key_id()) is not null
              and ((select auth.jwt()) -> 'api_key' -> 'scopes') ? 'collectors:write');

alter policy "Analysts and admins advance collector checkpoints in their tena" on public.collector_checkpoints
  rename to "API keys with collectors:write advance collector checkpoints";
alter policy "API keys with collectors:write advance collector checkpoints" on public.collector_checkpoints
  using (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
         and (select tenancy.api_key_id()) is not null
         and ((select auth.jwt()) -> 'api_key' -> 'scopes') ? 'collectors:write')
  with check (tenant_id = any ((select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}'))::uuid[])
              and (select tenancy.api_key_id()) is not null
              and ((select auth.jwt()) -> 'api_key' -> 'scopes') ? 'collectors:write');

revoke insert, update on public.collector_checkpoints from authenticated;
grant insert (tenant_id, collector_id, credential_id, cursor, alerts_sent, last_sent_at)
  on public.collector_checkpoints to authenticated;
grant update (cursor, alerts_sent, last_sent_at)
  on public.collector_checkpoints to authenticated;
