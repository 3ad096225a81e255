-- At most 200 workflow rules per tenant.
--
-- Why: nothing bounded them, and every new alert of a tenant is evaluated against its own rules and
-- its ancestors' (lib/rules/engine.ts), so one tenant's admin could make every evaluation below
-- them as slow as they liked.
--
-- How: a BEFORE INSERT trigger takes a transaction-level advisory lock for the tenant's rules, then
-- counts them; the 201st is refused (SQLSTATE 54000, hint rule_limit, "this tenant already has 200
-- workflow rules, the most it may have"). The lock makes two concurrent inserts take turns, so they
-- cannot both take the last place; it is held to the end of the inserting transaction. Rows earlier
-- in the same statement count too. Every writer but the service role: a restored archive writes a
-- tenant's rules back as they were. lib/rules/store.ts RULES_PER_TENANT is the same number and turns
-- the refusal into the form's message (tests/workflows-limits.test.ts checks both).

create function workflows.refuse_past_rule_limit() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  max_rules constant integer := 200;
begin
  if current_setting('role') = 'service_role' then
    return new;
  end if;
  perform pg_advisory_xact_lock(hashtext('workflow_rules'), hashtext(new.tenant_id::text));
  if (select count(*) from public.workflow_rules r where r.tenant_id = new.tenant_id) >= max_rules then
    raise exception 'this tenant already has % workflow rules, the most it may have', max_rules
      using errcode = '54000', hint = 'rule_limit';
  end if;
  return new;
end
$$;
revoke all on function workflows.refuse_past_rule_limit() from public, anon, authenticated, service_role, portal_app;

create trigger workflow_rules_limit before insert on public.workflow_rules
  for each row execute function workflows.refuse_past_rule_limit();
