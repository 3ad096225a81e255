-- Grants that hold on Supabase too, and a tenant_id no row can change.
--
-- 1. Revoke before granting (issue 9, finding 4). Supabase's setup runs
--      alter default privileges in schema public grant all on tables    to postgres, anon, authenticated, service_role;
--      alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
--      alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;
--    so every table an earlier migration created in `public` without revoking
--    first came with ALL (TRUNCATE, REFERENCES, TRIGGER included) for anon,
--    authenticated and service_role, and the column grants meant nothing:
--    authenticated read users.password_hash, updated tenants.parent_id, and
--    anyone could TRUNCATE alerts past RLS. On plain Postgres (no such
--    defaults) nothing below changes a thing.
--
--    Below: every table and function the portal owns, revoked from PUBLIC and
--    the API roles (and portal_app, which holds nothing but the hook), then
--    granted exactly what the earlier migrations meant, written out here so a
--    reviewer reads the whole grant set in one place. tests/supabase-default-
--    privileges.test.ts migrates a database with Supabase's defaults applied
--    first and requires the same grants as on plain Postgres;
--    tests/catalog-guards.test.ts pins the set against an allowlist.
--    Supabase's own schemas (auth, vault, storage, ...) are left alone: on
--    plain Postgres their compat objects were created with explicit revokes.
--
--    Every later migration does the same for what it creates: `revoke all ...
--    from public, anon, authenticated, service_role` before its grants.
--
-- 2. tenant_id is immutable. An UPDATE that changes tenant_id (tenants.id for
--    the tree itself) is refused on every tenant-scoped table, whoever runs
--    it, the owner included (SQLSTATE 42501 like the audit trail's refusals,
--    hint tenant_id_immutable). Before,
--    an MSSP admin could re-home an alert from one customer to another, since
--    both passed the update policy. A tenant moves by its parent_id; its rows
--    never move. Installed from the catalog on every table with a tenant_id
--    column; a table added later calls tenancy.add_tenant_id_guard() in its own
--    migration (tests/tenant-id-immutable.test.ts fails otherwise).

-- ---------------------------------------------------------------------------
-- 1. Grants
-- ---------------------------------------------------------------------------
revoke all on table
  public.tenants, public.users, public.memberships, public.assets, public.alerts,
  public.audit_log, public.user_mfa, public.user_recovery_codes, public.invitations,
  public.credentials, public.jobs, public.job_steps
  from public, anon, authenticated, service_role, portal_app;

-- The tree: read under RLS; only require_mfa is writable (admins, by policy).
grant select on public.tenants to authenticated;
grant update (require_mfa) on public.tenants to authenticated;
-- Users: no password hash, no lockout counters; one's own name.
grant select (id, email, name, created_at) on public.users to authenticated;
grant update (name) on public.users to authenticated;
-- Memberships: created only by accept_invitation or provisioning.
grant select, delete on public.memberships to authenticated;
grant update (role) on public.memberships to authenticated;
grant select, insert, update, delete on public.assets, public.alerts, public.credentials to authenticated;
-- Append-only.
grant select, insert on public.audit_log to authenticated;
-- No token hash; only revoking.
grant select (tenant_id, id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at),
      insert on public.invitations to authenticated;
grant update (revoked_at) on public.invitations to authenticated;
grant select, insert on public.jobs to authenticated;
grant select on public.job_steps to authenticated;
-- user_mfa, user_recovery_codes: nothing for authenticated.

grant select, insert, update, delete on
  public.tenants, public.users, public.memberships, public.assets, public.alerts,
  public.user_mfa, public.user_recovery_codes, public.invitations,
  public.credentials, public.jobs, public.job_steps
  to service_role;
grant select, insert on public.audit_log to service_role;

revoke all on function public.custom_access_token_hook(jsonb), public.accept_invitation(bytea)
  from public, anon, authenticated, service_role, portal_app;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin, portal_app;
grant execute on function public.accept_invitation(bytea) to authenticated;

-- The portal's own schemas.
revoke all on all tables in schema tenancy, audit, keyring, jobs_engine
  from public, anon, authenticated, service_role, portal_app;
revoke all on all sequences in schema tenancy, audit, keyring, jobs_engine
  from public, anon, authenticated, service_role, portal_app;
revoke all on all functions in schema tenancy, audit, keyring, jobs_engine
  from public, anon, authenticated, service_role, portal_app;

grant select on audit.chain_heads to service_role;
grant select, insert, update, delete on jobs_engine.workers to service_role;
-- keyring's tables: no grants; only its definer functions touch them.

grant execute on function
  tenancy.active_tenant_id(), tenancy.visible_tenant_ids(), tenancy.tenant_ids_with_role(text[]),
  tenancy.frozen_tenant_ids(), tenancy.role_rank(text), tenancy.caller_admin_rank_on(uuid),
  tenancy.admin_role_for(uuid)
  to authenticated, service_role;
grant execute on function
  jobs_engine.dispatch_pending(), jobs_engine.tenant_is_frozen(uuid),
  keyring.active_dek(uuid), keyring.begin_key_import(), keyring.begin_restore(uuid[]),
  keyring.create_tenant_key(uuid), keyring.deployment_id(), keyring.destroy_tenant_keys(uuid),
  keyring.end_restore(), keyring.import_tenant_key(uuid, integer, text, timestamptz, timestamptz, bytea),
  keyring.kek_status(uuid), keyring.key_status(uuid), keyring.purge_tenant_keys(uuid),
  keyring.reset_tenant_keys(uuid), keyring.retire_tenant_key(uuid, integer),
  keyring.retiring_tenant_ids(text[]), keyring.root_of(uuid), keyring.rotate_kek(uuid),
  keyring.unwrap_dek(uuid, integer)
  to service_role;

-- ---------------------------------------------------------------------------
-- 2. tenant_id is immutable
-- ---------------------------------------------------------------------------
create function tenancy.refuse_tenant_id_change() returns trigger
  language plpgsql
  set search_path = ''
  as $$
begin
  raise exception '%.%: % cannot change (a row never moves to another tenant)', tg_table_schema, tg_table_name, tg_argv[0]
    using errcode = '42501',
          hint = 'tenant_id_immutable',
          detail = 'Move a tenant by changing tenants.parent_id; copy a row to another tenant by inserting it there.';
end
$$;

-- Installs the guard on one table; later migrations call it for their new
-- tenant-scoped tables. A BEFORE trigger, so its clear refusal comes before a
-- foreign-key, unique or policy error the moved row would also hit; its WHEN
-- clause makes it cost nothing when tenant_id is unchanged. (No BEFORE trigger
-- in the schema sets tenant_id; one that did would have to sort after it.)
create function tenancy.add_tenant_id_guard(tbl regclass, col text default 'tenant_id') returns void
  language plpgsql
  set search_path = pg_catalog
  as $$
begin
  execute format(
    'create trigger tenant_id_immutable before update on %s for each row '
    'when (old.%I is distinct from new.%I) execute function tenancy.refuse_tenant_id_change(%L)',
    tbl, col, col, col);
end
$$;

revoke all on function tenancy.refuse_tenant_id_change(), tenancy.add_tenant_id_guard(regclass, text)
  from public, anon, authenticated, service_role, portal_app;

do $$
declare r record;
begin
  perform tenancy.add_tenant_id_guard('public.tenants', 'id');
  -- Every table with a tenant_id column in any schema but the system ones
  -- (partitions inherit their parent's trigger), owned by the migrating role.
  for r in
    select c.oid::regclass as tbl
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and not c.relispartition
       and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%'
       and pg_has_role(c.relowner, 'USAGE')
       and exists (select 1 from pg_attribute a
                    where a.attrelid = c.oid and a.attname = 'tenant_id' and a.attnum > 0 and not a.attisdropped)
       and not exists (select 1 from pg_depend d
                        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
     order by 1
  loop
    perform tenancy.add_tenant_id_guard(r.tbl, 'tenant_id');
  end loop;
end $$;
