-- People record audit rows through audit.record, not by INSERT on
-- public.audit_log.
--
-- Why: `authenticated` held INSERT on public.audit_log (20261123000500,
-- restated by 20261130000500) with a policy asking only that actor_id be the
-- caller and the tenant one the caller can see. Where Supabase's Data API
-- serves `public`, any member, a tenant_viewer included, could POST
-- /rest/v1/audit_log with any action, outcome and details ("credentials:rotate
-- success", "auth:sign-in" from a made-up address): the chain trigger links
-- the row like any other, so the trail stays valid and admins read it as real.
--
-- What:
--   * audit.record(tenant, action, target_type, target_id, outcome, details,
--     request_id): the write of lib/audit/record.ts (recordAudit). Security
--     definer, in `audit`, which PostgREST does not serve (Supabase exposes
--     `public` and `graphql_public`; the portal's schemas are never added), so
--     it is not an RPC. For a person (role `authenticated`) it keeps the rule
--     of the policy it replaces: the actor is auth.uid(), never chosen by the
--     caller and never null, and the tenant must be in
--     tenancy.visible_ids(); refused with SQLSTATE 42501 as RLS refused
--     before. It also refuses `auth:*` actions (only lib/auth/events.ts
--     writes those, through the service role) and a non-object details. The
--     table's checks still validate every column, and the chain trigger fills
--     in seq, time, email and hashes as for any insert. The service role and
--     the owner (jobs, lifecycle, archive import, the operator scripts, which
--     also call recordAudit) write as they could by INSERT, the actor
--     auth.uid() (null without claims).
--   * INSERT on public.audit_log revoked from `authenticated`, and its
--     insert policy dropped: no role that a person's request runs as can write
--     a row directly. service_role keeps INSERT (recordDenied, recordAuditAs,
--     auth events, jobs, invitation acceptance, report pauses: all service
--     paths); SELECT and the read policy are unchanged.
--   * `authenticated` gets USAGE on schema audit, for the function alone:
--     audit.chain_heads has no grant to it and every other function there
--     stays revoked from PUBLIC.
--
-- Proven by tests/audit-record-function.test.ts (a viewer's direct INSERT
-- refused with 42501, its recordAudit still written; forged actors, tenants
-- out of scope, auth:* actions refused through the function; the service role
-- writes system rows), tests/audit-trail.test.ts, tests/catalog-guards.test.ts
-- and tests/supabase-lint.test.ts (the function on their reviewed lists).

create function audit.record(
  p_tenant uuid, p_action text, p_target_type text, p_target_id text,
  p_outcome text, p_details jsonb, p_request_id text
) returns void
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  actor uuid := auth.uid();
  -- The role the request runs as: security definer changes current_user,
  -- not the role that SET ROLE chose (the app's withTenant, PostgREST's
  -- per-request role), which is what the replaced policy applied to. Only
  -- authenticated, service_role and the owner may execute this.
  person boolean := pg_catalog.current_setting('role', true) = 'authenticated';
begin
  if person then
    if actor is null then
      raise exception 'audit.record: no signed-in actor' using errcode = '42501';
    end if;
    if p_tenant is null or not (p_tenant = any (tenancy.visible_ids())) then
      raise exception 'audit.record: tenant out of scope' using errcode = '42501';
    end if;
    if p_action like 'auth:%' then
      raise exception 'audit.record: auth events are recorded by the portal only' using errcode = '42501';
    end if;
  end if;
  if p_details is not null and pg_catalog.jsonb_typeof(p_details) <> 'object' then
    raise exception 'audit.record: details must be an object' using errcode = '22023';
  end if;
  insert into public.audit_log (tenant_id, actor_id, action, target_type, target_id, outcome, details, request_id)
  values (p_tenant, actor, p_action, p_target_type, p_target_id, p_outcome,
          coalesce(p_details, '{}'::jsonb), p_request_id);
end
$$;

revoke all on function audit.record(uuid, text, text, text, text, jsonb, text)
  from public, anon, authenticated, service_role, portal_app;
grant execute on function audit.record(uuid, text, text, text, text, jsonb, text) to authenticated, service_role;
grant usage on schema audit to authenticated;

revoke insert on public.audit_log from authenticated;
drop policy "Users record their own actions in tenants they can see" on public.audit_log;
