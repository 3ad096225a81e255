-- Workflows per tenant (issue 10, item 4): notification channels with their
-- deliveries, routing and escalation rules as versioned data, and what each
-- rule did to each alert.
--
-- public.notification_channels: an outgoing webhook (URL + signing secret
--   sealed by the application under the tenant's DEK, like a credential, with
--   the same seal-key trigger so a DEK rotation never leaves one behind) or an
--   email channel (recipients; mail goes through mail.outbox).
-- public.notification_deliveries / notification_attempts: one row per message
--   to a channel, one per attempt; written by the portal on the service role
--   (lib/notify), read by the admins of the tenant or an ancestor. A new
--   webhook delivery is handed to graphile-worker in the same transaction
--   (task notify:deliver), as mail.outbox does.
-- public.workflow_rules / workflow_rule_versions: the rule and its history; a
--   trigger bumps the version on every change and copies it to the history,
--   so no change can skip it. Rules apply to the tenant and every tenant below
--   it; workflows.rules_for(tenant) answers a tenant's own and inherited rules.
-- public.workflow_rule_runs: what a rule did to an alert (stage match or
--   escalation), one row per (alert, rule, stage): the key that makes a retried
--   evaluation or escalation job act once.
-- Alerts: a statement trigger queues workflows:evaluate for each new alert of
--   a tenant that some enabled rule applies to, in the inserting transaction.

create schema workflows;
revoke all on schema workflows from public, anon, authenticated, service_role, portal_app;
grant usage on schema workflows to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Channels
-- ---------------------------------------------------------------------------
create table public.notification_channels (
  tenant_id      uuid not null references public.tenants (id) on delete cascade,
  id             uuid not null,
  name           text not null check (length(btrim(name)) between 1 and 80),
  kind           text not null check (kind in ('webhook', 'email')),
  -- webhook: the endpoint (checked public https by the application).
  url            text check (length(url) between 8 and 2048),
  -- email: who receives it.
  recipients     text[] not null default '{}' check (cardinality(recipients) <= 20),
  -- webhook: 0x01 || nonce || ciphertext || tag under the tenant DEK; AAD binds tenant, channel, version.
  secret_sealed  bytea check (length(secret_sealed) > 29),
  key_version    integer,
  secret_hint    text check (length(secret_hint) <= 4),
  enabled        boolean not null default true,
  created_at     timestamptz not null default now(),
  created_by     uuid references public.users (id) on delete set null,
  updated_at     timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint notification_channels_name_unique unique (tenant_id, name),
  foreign key (tenant_id, key_version) references keyring.tenant_keys (tenant_id, version),
  check ((kind = 'webhook') = (url is not null and secret_sealed is not null and key_version is not null)),
  check (kind <> 'email' or cardinality(recipients) between 1 and 20)
);
create index notification_channels_key_version on public.notification_channels (tenant_id, key_version) where key_version is not null;

create trigger notification_channels_check_seal_key
  before insert or update of secret_sealed, key_version on public.notification_channels
  for each row when (new.key_version is not null)
  execute function keyring.check_seal_key();
create trigger notification_channels_touch before update on public.notification_channels
  for each row execute function tenancy.touch_updated_at();

alter table public.notification_channels enable row level security;
alter table public.notification_channels force row level security;
revoke all on public.notification_channels from public, anon, authenticated, service_role, portal_app;
grant select, insert, update, delete on public.notification_channels to authenticated, service_role;

create policy "Channels are visible to members of the tenant or an ancestor"
  on public.notification_channels for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Admins add channels to their tenants"
  on public.notification_channels for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins change channels of their tenants"
  on public.notification_channels for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins remove channels of their tenants"
  on public.notification_channels for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
select tenancy.add_frozen_write_policies('public.notification_channels', 'tenant_id');
select tenancy.add_tenant_id_guard('public.notification_channels');

-- A DEK version is retired only when nothing sealed under it is left: the
-- channels' secrets count as much as the credentials (lib/vault/rotation.ts
-- re-seals both).
create or replace function keyring.retire_tenant_key(tenant uuid, dek_version integer) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  perform 1 from keyring.tenant_keys t
   where t.tenant_id = tenant and t.version = dek_version and t.status = 'retiring' for update;
  if not found then
    raise exception 'key version % of tenant % is not retiring', dek_version, tenant using errcode = '55000';
  end if;
  if exists (select 1 from public.credentials c where c.tenant_id = tenant and c.key_version = dek_version)
     or exists (select 1 from public.notification_channels n where n.tenant_id = tenant and n.key_version = dek_version) then
    raise exception 'key version % of tenant % still seals credentials', dek_version, tenant using errcode = '55000';
  end if;
  update keyring.tenant_keys t set status = 'retired', wrapped_dek = null, retired_at = now()
   where t.tenant_id = tenant and t.version = dek_version;
end
$$;

-- ---------------------------------------------------------------------------
-- Deliveries
-- ---------------------------------------------------------------------------
create table public.notification_deliveries (
  tenant_id        uuid not null references public.tenants (id) on delete cascade,
  id               uuid not null default gen_random_uuid(),
  channel_id       uuid not null,
  kind             text not null check (kind in ('webhook', 'email')),
  reason           text not null check (reason in ('test', 'rule', 'escalation')),
  -- The alert it is about (any tenant at or below the channel's), and the rule.
  alert_tenant_id  uuid,
  alert_id         uuid,
  rule_id          uuid,
  status           text not null default 'queued' check (status in ('queued', 'delivered', 'failed')),
  attempts         integer not null default 0 check (attempts >= 0),
  max_attempts     integer not null default 6 check (max_attempts between 1 and 25),
  -- The JSON body sent (an alert summary: no secret is ever part of it).
  payload          jsonb not null check (jsonb_typeof(payload) = 'object'),
  -- email: the mail.outbox row that carries it.
  mail_id          uuid,
  response_status  integer,
  last_error       text check (length(last_error) <= 500),
  created_at       timestamptz not null default now(),
  delivered_at     timestamptz,
  failed_at        timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, channel_id) references public.notification_channels (tenant_id, id) on delete cascade
);
create index notification_deliveries_channel on public.notification_deliveries (tenant_id, channel_id, created_at desc);

create table public.notification_attempts (
  tenant_id        uuid not null references public.tenants (id) on delete cascade,
  delivery_id      uuid not null,
  attempt          integer not null check (attempt >= 1),
  at               timestamptz not null default now(),
  outcome          text not null check (outcome in ('delivered', 'retrying', 'failed')),
  response_status  integer,
  error            text check (length(error) <= 500),
  duration_ms      integer,
  primary key (tenant_id, delivery_id, attempt),
  foreign key (tenant_id, delivery_id) references public.notification_deliveries (tenant_id, id) on delete cascade
);

alter table public.notification_deliveries enable row level security;
alter table public.notification_deliveries force row level security;
alter table public.notification_attempts enable row level security;
alter table public.notification_attempts force row level security;
revoke all on public.notification_deliveries, public.notification_attempts from public, anon, authenticated, service_role, portal_app;
-- Written only by the portal's delivery path (service role); read by admins.
grant select on public.notification_deliveries, public.notification_attempts to authenticated;
grant select, insert, update, delete on public.notification_deliveries, public.notification_attempts to service_role;
create policy "Deliveries are visible to admins of the tenant or an ancestor"
  on public.notification_deliveries for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Delivery attempts are visible to admins of the tenant or an ancestor"
  on public.notification_attempts for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
select tenancy.add_frozen_write_policies('public.notification_deliveries', 'tenant_id');
select tenancy.add_frozen_write_policies('public.notification_attempts', 'tenant_id');
select tenancy.add_tenant_id_guard('public.notification_deliveries');
select tenancy.add_tenant_id_guard('public.notification_attempts');

-- Hands a webhook delivery to graphile-worker (same shape as mail.dispatch).
create function workflows.dispatch_delivery(d public.notification_deliveries) returns void
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
begin
  if to_regprocedure('graphile_worker.add_job(text,json,text,timestamp with time zone,integer,text,integer,text[],text)') is null then
    return;
  end if;
  perform graphile_worker.add_job(
    identifier => 'notify:deliver',
    payload => json_build_object('tenantId', d.tenant_id, 'id', d.id),
    max_attempts => d.max_attempts,
    job_key => 'notify:' || d.id,
    job_key_mode => 'replace');
end
$$;

create function workflows.on_delivery_insert() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
begin
  perform workflows.dispatch_delivery(new);
  return null;
end
$$;

create trigger notification_deliveries_dispatch
  after insert on public.notification_deliveries
  for each row when (new.status = 'queued' and new.kind = 'webhook')
  execute function workflows.on_delivery_insert();

-- ---------------------------------------------------------------------------
-- Rules
-- ---------------------------------------------------------------------------
create table public.workflow_rules (
  tenant_id    uuid not null references public.tenants (id) on delete cascade,
  id           uuid not null default gen_random_uuid(),
  name         text not null check (length(btrim(name)) between 1 and 80),
  -- Order within the tenant (lower first); ancestors' rules run before a tenant's own.
  position     integer not null default 100 check (position between 0 and 10000),
  enabled      boolean not null default true,
  version      integer not null default 1 check (version >= 1),
  -- The rule (lib/rules/schema.ts validates it before it gets here).
  definition   jsonb not null check (jsonb_typeof(definition) = 'object'),
  created_at   timestamptz not null default now(),
  created_by   uuid references public.users (id) on delete set null,
  updated_at   timestamptz not null default now(),
  updated_by   uuid references public.users (id) on delete set null,
  primary key (tenant_id, id),
  constraint workflow_rules_name_unique unique (tenant_id, name)
);

create table public.workflow_rule_versions (
  tenant_id    uuid not null references public.tenants (id) on delete cascade,
  rule_id      uuid not null,
  version      integer not null,
  change       text not null check (change in ('created', 'changed', 'enabled', 'disabled', 'deleted')),
  name         text not null,
  position     integer not null,
  enabled      boolean not null,
  definition   jsonb not null,
  changed_at   timestamptz not null default now(),
  changed_by   uuid references public.users (id) on delete set null,
  -- No foreign key to workflow_rules: the history outlives a deleted rule.
  primary key (tenant_id, rule_id, version)
);

create function workflows.version_rule() returns trigger
  language plpgsql
  set search_path = pg_catalog
  as $$
begin
  if tg_op = 'INSERT' then
    new.version := 1;
  elsif (new.name, new.position, new.enabled, new.definition) is distinct from (old.name, old.position, old.enabled, old.definition) then
    new.version := old.version + 1;
    new.updated_at := now();
  else
    new.version := old.version;
  end if;
  return new;
end
$$;

-- The history row: security definer, since nobody may write the history directly.
create function workflows.record_rule_version() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
declare
  actor uuid := nullif(current_setting('request.jwt.claims', true)::jsonb ->> 'sub', '')::uuid;
  r public.workflow_rules := case when tg_op = 'DELETE' then old else new end;
  what text;
begin
  if tg_op = 'UPDATE' and new.version = old.version then
    return null;
  end if;
  what := case
    when tg_op = 'INSERT' then 'created'
    when tg_op = 'DELETE' then 'deleted'
    when new.enabled <> old.enabled and (new.name, new.position, new.definition) is not distinct from (old.name, old.position, old.definition)
      then case when new.enabled then 'enabled' else 'disabled' end
    else 'changed' end;
  insert into public.workflow_rule_versions (tenant_id, rule_id, version, change, name, position, enabled, definition, changed_by)
  values (r.tenant_id, r.id, case when tg_op = 'DELETE' then r.version + 1 else r.version end, what, r.name, r.position, r.enabled, r.definition,
          case when exists (select 1 from public.users u where u.id = actor) then actor end);
  return null;
end
$$;

create trigger workflow_rules_version before insert or update on public.workflow_rules
  for each row execute function workflows.version_rule();
create trigger workflow_rules_history after insert or update or delete on public.workflow_rules
  for each row execute function workflows.record_rule_version();

alter table public.workflow_rules enable row level security;
alter table public.workflow_rules force row level security;
alter table public.workflow_rule_versions enable row level security;
alter table public.workflow_rule_versions force row level security;
revoke all on public.workflow_rules, public.workflow_rule_versions from public, anon, authenticated, service_role, portal_app;
grant select, insert, update, delete on public.workflow_rules to authenticated, service_role;
grant select on public.workflow_rule_versions to authenticated;
grant select, insert, update, delete on public.workflow_rule_versions to service_role;

create policy "Rules are visible to members of the tenant or an ancestor"
  on public.workflow_rules for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
create policy "Admins add rules to their tenants"
  on public.workflow_rules for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins change rules of their tenants"
  on public.workflow_rules for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Admins remove rules of their tenants"
  on public.workflow_rules for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin,tenant_admin}'))));
create policy "Rule history is visible to members of the tenant or an ancestor"
  on public.workflow_rule_versions for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
select tenancy.add_frozen_write_policies('public.workflow_rules', 'tenant_id');
select tenancy.add_frozen_write_policies('public.workflow_rule_versions', 'tenant_id');
select tenancy.add_tenant_id_guard('public.workflow_rules');
select tenancy.add_tenant_id_guard('public.workflow_rule_versions');

-- A tenant's own rules and those of its ancestors (inherited, read-only
-- there), for a tenant the caller can see. Security definer because members
-- of a customer cannot read the MSSP's rows; it answers only about tenants
-- the caller sees, and returns nothing for any other.
create function workflows.rules_for(tenant uuid)
  returns table (tenant_id uuid, tenant_name text, depth integer, id uuid, name text, "position" integer,
                 enabled boolean, version integer, definition jsonb, updated_at timestamptz)
  language sql stable security definer
  set search_path = ''
  as $$
    select r.tenant_id, a.name, extensions.nlevel(a.path), r.id, r.name, r.position, r.enabled, r.version, r.definition, r.updated_at
      from public.tenants t
      join public.tenants a on a.path operator(extensions.@>) t.path
      join public.workflow_rules r on r.tenant_id = a.id
     where t.id = tenant
       and (auth.role() = 'service_role' or tenant = any (array(select tenancy.visible_tenant_ids())))
     order by extensions.nlevel(a.path), r.position, r.name
  $$;
revoke all on function workflows.rules_for(uuid) from public, anon, authenticated, service_role;
grant execute on function workflows.rules_for(uuid) to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- What rules did
-- ---------------------------------------------------------------------------
create table public.workflow_rule_runs (
  -- The alert's tenant.
  tenant_id       uuid not null references public.tenants (id) on delete cascade,
  alert_id        uuid not null,
  rule_tenant_id  uuid not null,
  rule_id         uuid not null,
  rule_version    integer not null,
  stage           text not null check (stage in ('match', 'escalation')),
  outcome         text not null check (outcome in ('applied', 'skipped', 'failed')),
  -- What it did or why not: [{action, result, message}].
  actions         jsonb not null default '[]' check (jsonb_typeof(actions) = 'array'),
  at              timestamptz not null default now(),
  primary key (tenant_id, alert_id, rule_id, stage),
  foreign key (tenant_id, alert_id) references public.alerts (tenant_id, id) on delete cascade
);
alter table public.workflow_rule_runs enable row level security;
alter table public.workflow_rule_runs force row level security;
revoke all on public.workflow_rule_runs from public, anon, authenticated, service_role, portal_app;
grant select on public.workflow_rule_runs to authenticated;
grant select, insert, update, delete on public.workflow_rule_runs to service_role;
create policy "Rule runs are visible to members of the tenant or an ancestor"
  on public.workflow_rule_runs for select to authenticated
  using (tenant_id = any (array(select tenancy.visible_tenant_ids())));
select tenancy.add_frozen_write_policies('public.workflow_rule_runs', 'tenant_id');
select tenancy.add_tenant_id_guard('public.workflow_rule_runs');

-- ---------------------------------------------------------------------------
-- Evaluation when alerts arrive
-- ---------------------------------------------------------------------------
-- One statement trigger (a bulk insert costs one query, not one per row)
-- queues workflows:evaluate for each new alert of a tenant with at least one
-- enabled rule at it or above it, in the inserting transaction: an alert that
-- rolls back is never evaluated, one that commits always is, whichever path
-- inserted it (connector, import, a test). The job key makes a second hand-over
-- harmless. Without graphile-worker's schema (Supabase CLI alone) nothing is
-- queued; docs/workflows.md says so.
create function workflows.on_alerts_inserted() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
begin
  if to_regprocedure('graphile_worker.add_job(text,json,text,timestamp with time zone,integer,text,integer,text[],text)') is null then
    return null;
  end if;
  perform graphile_worker.add_job(
            identifier => 'workflows:evaluate',
            payload => json_build_object('tenantId', i.tenant_id, 'alertId', i.id),
            max_attempts => 5,
            job_key => 'workflows:evaluate:' || i.id,
            job_key_mode => 'preserve_run_at')
     from inserted i
    where exists (
      select 1
        from public.tenants t
        join public.tenants a on a.path operator(extensions.@>) t.path
        join public.workflow_rules r on r.tenant_id = a.id and r.enabled
       where t.id = i.tenant_id);
  return null;
end
$$;

create trigger alerts_workflows_evaluate
  after insert on public.alerts
  referencing new table as inserted
  for each statement execute function workflows.on_alerts_inserted();

revoke all on all functions in schema workflows from public, anon, authenticated, service_role;
grant execute on function workflows.rules_for(uuid) to authenticated, service_role;
