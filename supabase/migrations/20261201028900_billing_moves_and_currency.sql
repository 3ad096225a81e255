-- Billing after a customer moves, and a plan's currency (lib/billing, docs/billing.md).
--
-- 1. A move ends the old MSSP's assignments. A customer moved to another MSSP kept
--    its assignments to the old MSSP's plans: drafting went on billing it at them,
--    and the new MSSP could not assign a plan at all (its assignPlan ends the open
--    assignment, and the check below refused that update: "this plan belongs to
--    another MSSP"). Now, when a tenant's path changes, each of its assignments
--    whose plan's MSSP is no longer above it ends on the first day of the current
--    UTC month (the new MSSP may bill that month), and one starting on or after
--    that day is removed (it never billed a month). lib/billing's draftPeriod
--    also ignores any assignment whose plan is not the customer's current MSSP's.
-- 2. billing.check_assignment: an update that only brings an assignment's end
--    forward (an end set or moved earlier, nothing else changed) is always
--    allowed: it cannot overlap anything nor bring in a currency. The currency
--    rule compares the customer's assignments to plans of the same MSSP only: a
--    customer moved from a EUR MSSP to a USD one may be billed in USD by the new
--    one (each MSSP's invoices stay in one currency).
-- 3. A plan's currency cannot change once an assignment (ended or not) or an
--    invoice (draft or finalized) references it: its invoices would mix
--    currencies (SQLSTATE 23514, hint plan_currency).

create or replace function billing.check_assignment() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  customer public.tenants;
  plan_currency text;
  other text;
begin
  if keyring.restoring(new.tenant_id) then
    return new;
  end if;
  -- Only the end brought forward: nothing to check (a moved customer's old assignments end this way).
  if tg_op = 'UPDATE' and (new.tenant_id, new.id, new.plan_tenant_id, new.plan_id, new.starts_on)
                          is not distinct from (old.tenant_id, old.id, old.plan_tenant_id, old.plan_id, old.starts_on)
     and new.ends_on is not null and (old.ends_on is null or new.ends_on <= old.ends_on) then
    return new;
  end if;
  select * into customer from public.tenants where id = new.tenant_id;
  if not exists (select 1 from public.tenants p where p.id = new.plan_tenant_id and p.kind = 'mssp'
                    and p.path operator(extensions.@>) customer.path) then
    raise exception 'this plan belongs to another MSSP' using errcode = '23514', hint = 'assignment_plan';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('billing.assignments:' || new.tenant_id::text, 0));
  if exists (select 1 from public.billing_plan_assignments a
              where a.tenant_id = new.tenant_id and a.id <> new.id
                and daterange(a.starts_on, a.ends_on) && daterange(new.starts_on, new.ends_on)) then
    raise exception 'this period overlaps another plan assignment of this customer; end that one first'
      using errcode = '23P01', hint = 'assignment_overlap';
  end if;
  select currency into plan_currency from public.billing_plans where tenant_id = new.plan_tenant_id and id = new.plan_id;
  select p.currency into other
    from public.billing_plan_assignments a
    join public.billing_plans p on p.tenant_id = a.plan_tenant_id and p.id = a.plan_id
   where a.tenant_id = new.tenant_id and a.id <> new.id and a.plan_tenant_id = new.plan_tenant_id and p.currency <> plan_currency
   limit 1;
  if other is not null then
    raise exception 'currency mismatch: this customer is billed in %, the plan is in %', other, plan_currency
      using errcode = '23514', hint = 'assignment_currency';
  end if;
  return new;
end
$$;

-- Fires for each tenant of a moved subtree (as triage.prune_groups_after_move does).
create function billing.end_assignments_after_move() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  month_start date := date_trunc('month', now() at time zone 'UTC')::date;
begin
  if keyring.restoring(new.id) then
    return null;
  end if;
  delete from public.billing_plan_assignments a
   where a.tenant_id = new.id and a.starts_on >= month_start
     and not exists (select 1 from public.tenants p where p.id = a.plan_tenant_id and p.path operator(extensions.@>) new.path);
  update public.billing_plan_assignments a set ends_on = month_start
   where a.tenant_id = new.id and a.starts_on < month_start and (a.ends_on is null or a.ends_on > month_start)
     and not exists (select 1 from public.tenants p where p.id = a.plan_tenant_id and p.path operator(extensions.@>) new.path);
  return null;
end
$$;
create trigger tenants_end_billing_assignments after update on public.tenants
  for each row when (old.path::text is distinct from new.path::text)
  execute function billing.end_assignments_after_move();

create function billing.guard_plan_currency() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if keyring.restoring(new.tenant_id) then
    return new;
  end if;
  if exists (select 1 from public.billing_plan_assignments a where a.plan_tenant_id = old.tenant_id and a.plan_id = old.id)
     or exists (select 1 from public.billing_invoices i where i.mssp_id = old.tenant_id and i.plan_id = old.id) then
    raise exception 'this plan is assigned to customers (now or before) or on their invoices in %, so its currency cannot change; create a new plan in %', old.currency, new.currency
      using errcode = '23514', hint = 'plan_currency';
  end if;
  return new;
end
$$;
create trigger billing_plans_currency_guard before update of currency on public.billing_plans
  for each row when (old.currency is distinct from new.currency)
  execute function billing.guard_plan_currency();

revoke all on function billing.check_assignment(), billing.end_assignments_after_move(), billing.guard_plan_currency()
  from public, anon, authenticated, service_role, portal_app;
