-- Rollback of 20261201028900_billing_moves_and_currency: a move ends no assignment again, a plan's
-- currency is guarded by lib/billing only, and billing.check_assignment is 20261201014000's (with the
-- search_path 20261201027300 gave it). Assignments a move already ended or removed stay as they are.
drop trigger if exists billing_plans_currency_guard on public.billing_plans;
drop function if exists billing.guard_plan_currency();
drop trigger if exists tenants_end_billing_assignments on public.tenants;
drop function if exists billing.end_assignments_after_move();

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
  -- Only customers are invoiced (lib/billing drafts customers; assignPlan refuses a site or an
  -- MSSP). Not refused here, so the isolation matrix can hold a row in every kind of tenant.
  select * into customer from public.tenants where id = new.tenant_id;
  if not exists (select 1 from public.tenants p where p.id = new.plan_tenant_id and p.kind = 'mssp'
                    and p.path operator(extensions.@>) customer.path) then
    raise exception 'this plan belongs to another MSSP' using errcode = '23514', hint = 'assignment_plan';
  end if;
  -- One customer's assignments are written one at a time (the overlap check reads them).
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
   where a.tenant_id = new.tenant_id and a.id <> new.id and p.currency <> plan_currency
   limit 1;
  if other is not null then
    raise exception 'currency mismatch: this customer is billed in %, the plan is in %', other, plan_currency
      using errcode = '23514', hint = 'assignment_currency';
  end if;
  return new;
end
$$;

revoke all on function billing.check_assignment() from public, anon, authenticated, service_role, portal_app;
