-- Restoring a tenant with workflow rules (issue 8's archives meet issue 10's rules).
--
-- Why: the rule triggers of 20261201003000 reset an inserted rule to version 1 and
-- wrote a 'created' history row, so a restore (which writes the rules and their
-- history as the archive holds them) failed on a duplicate history key and the
-- whole restore was refused. During a restore of that tenant
-- (keyring.restoring) both triggers leave the archive's rows as they are.
-- version_rule becomes security definer because keyring.restoring is not
-- executable by the API roles that write rules. The history trigger also reads
-- empty claims (a pooled connection after withTenant keeps '') as no actor.
create or replace function workflows.version_rule() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
begin
  if tg_op = 'INSERT' then
    if not keyring.restoring(new.tenant_id) then
      new.version := 1;
    end if;
  elsif (new.name, new.position, new.enabled, new.definition) is distinct from (old.name, old.position, old.enabled, old.definition) then
    new.version := old.version + 1;
    new.updated_at := now();
  else
    new.version := old.version;
  end if;
  return new;
end
$$;
revoke all on function workflows.version_rule() from public, anon, authenticated, service_role, portal_app;

create or replace function workflows.record_rule_version() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
declare
  actor uuid := nullif(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', '')::uuid;
  r public.workflow_rules := case when tg_op = 'DELETE' then old else new end;
  what text;
begin
  if keyring.restoring(r.tenant_id) then
    return null;
  end if;
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
revoke all on function workflows.record_rule_version() from public, anon, authenticated, service_role, portal_app;
