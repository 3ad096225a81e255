-- Custom access-token hook, written to Supabase Auth's contract:
--   input  { "user_id": uuid, "claims": {...}, "authentication_method": text }
--   output { "claims": {...} }
-- It keeps every claim it is given (Supabase requires iss, aud, exp, iat, sub,
-- role, aal, session_id, email, phone, is_anonymous to stay) and adds:
--   tenants      the user's membership roots: [{tenant_id, slug, name, kind, path, role}]
--   tenant_id    the active tenant, or null for the user's whole scope
--   tenant_path  the active tenant's ltree path, for display
-- The portal builds the claims of every next-auth request through this same
-- function (lib/db/with-tenant.ts), so both token issuers agree.
--
-- The requested active tenant is read from claims.tenant_id (the portal sets
-- it from the host) or claims.app_metadata.tenant_id (a Supabase client). It
-- is kept only if one of the user's memberships covers it. Policies never
-- trust these claims for authority anyway: they re-read memberships.

create function public.custom_access_token_hook(event jsonb) returns jsonb
  language plpgsql stable security definer
  set search_path = ''
  as $$
declare
  uid        uuid := nullif(event ->> 'user_id', '')::uuid;
  claims     jsonb := coalesce(event -> 'claims', '{}'::jsonb);
  requested  text := coalesce(nullif(claims ->> 'tenant_id', ''),
                              nullif(claims -> 'app_metadata' ->> 'tenant_id', ''));
  roots      jsonb;
  active_id  uuid;
  active_path text;
begin
  select coalesce(jsonb_agg(jsonb_build_object(
           'tenant_id', t.id, 'slug', t.slug, 'name', t.name, 'kind', t.kind,
           'path', t.path::text, 'role', m.role)
           order by t.path), '[]'::jsonb)
    into roots
    from public.memberships m
    join public.tenants t on t.id = m.tenant_id
   where m.user_id = uid;

  if requested ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    select t.id, t.path::text into active_id, active_path
      from public.tenants t
     where t.id = requested::uuid
       and exists (
         select 1 from public.memberships m
           join public.tenants mt on mt.id = m.tenant_id
          where m.user_id = uid and t.path operator(extensions.<@) mt.path);
  end if;

  claims := claims
    || jsonb_build_object('tenants', roots,
                          'tenant_id', active_id,
                          'tenant_path', active_path);
  return jsonb_build_object('claims', claims);
end
$$;

revoke execute on function public.custom_access_token_hook(jsonb) from public, anon, authenticated;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
