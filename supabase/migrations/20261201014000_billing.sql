-- Plans and billing (issue 12, point 2; lib/billing, docs/billing.md).
--
-- public.billing_plans / billing_plan_prices: an MSSP's plans (tenant_id = the
--   MSSP). Money is integer minor units of the plan's ISO 4217 currency; a
--   price per metric has an included quantity and graduated tiers over the
--   billable quantity (flat = one open tier). Only the MSSP's admins read or
--   change them (policy); a customer never reads a plan: its invoice carries a
--   copy of the name and prices it was billed at.
-- public.billing_plan_assignments (tenant_id = the customer): which plan bills
--   the customer from which calendar month (UTC) to which (end exclusive,
--   open = still running). Periods of one tenant never overlap, all of its
--   assignments share one currency, and the plan belongs to the customer's
--   MSSP (trigger, SQLSTATE 23514 / 23P01 with a message that says which).
-- public.billing_invoices / billing_invoice_lines (tenant_id = the customer):
--   invoices per customer per month, drafted from the usage rollups (a draft
--   is recomputed in place), then finalized: numbered per MSSP without gaps
--   (a counter row locked by the finalizing transaction) and immutable: a
--   trigger refuses any UPDATE or DELETE of a finalized invoice and any
--   change to its lines, whoever asks (the table owner included). A
--   correction is a credit note: a negative invoice referencing the original.
--   Read by the MSSP's admins, and by the customer's admins once finalized;
--   written only by the service role (purpose billing.invoicing), after the
--   PDP allowed billing:manage: invoices are still produced for suspended
--   and offboarded customers, whose rows the freeze policies close to people.
-- A plan used by a finalized invoice keeps its prices: changing or removing
-- them is refused (create a new plan and assign it from the next month).

create schema billing;
revoke all on schema billing from public, anon, authenticated, service_role, portal_app;
grant usage on schema billing to authenticated, service_role;

-- Tiers: [{"up_to": <int>|null, "unit_price": <int>}], up_to strictly
-- increasing, the last one open (null). Immutable; reads nothing.
create function billing.valid_tiers(tiers jsonb) returns boolean
  language plpgsql immutable
  set search_path = ''
  as $$
declare
  t jsonb;
  n integer;
  i integer := 0;
  prev numeric := 0;
begin
  if jsonb_typeof(tiers) <> 'array' then return false; end if;
  n := jsonb_array_length(tiers);
  if n < 1 or n > 10 then return false; end if;
  for t in select value from jsonb_array_elements(tiers) loop
    i := i + 1;
    if jsonb_typeof(t) <> 'object' or jsonb_typeof(t -> 'unit_price') <> 'number' then return false; end if;
    if (t ->> 'unit_price')::numeric < 0 or (t ->> 'unit_price')::numeric <> trunc((t ->> 'unit_price')::numeric)
       or (t ->> 'unit_price')::numeric > 1000000000000 then return false; end if;
    if i = n then
      if coalesce(jsonb_typeof(t -> 'up_to'), 'null') <> 'null' then return false; end if;
    else
      if jsonb_typeof(t -> 'up_to') <> 'number' then return false; end if;
      if (t ->> 'up_to')::numeric <> trunc((t ->> 'up_to')::numeric) or (t ->> 'up_to')::numeric <= prev then return false; end if;
      prev := (t ->> 'up_to')::numeric;
    end if;
  end loop;
  return true;
end
$$;

-- ---------------------------------------------------------------------------
-- Plans
-- ---------------------------------------------------------------------------
create table public.billing_plans (
  tenant_id   uuid not null references public.tenants (id) on delete cascade,
  id          uuid not null default gen_random_uuid(),
  name        text not null check (length(btrim(name)) between 1 and 80),
  currency    text not null check (currency ~ '^[A-Z]{3}$'),
  base_fee    bigint not null default 0 check (base_fee >= 0),
  minimum     bigint not null default 0 check (minimum >= 0),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, id)
);
create unique index billing_plans_name_unique on public.billing_plans (tenant_id, lower(btrim(name)));
create trigger billing_plans_touch before update on public.billing_plans
  for each row execute function tenancy.touch_updated_at();

create table public.billing_plan_prices (
  tenant_id   uuid not null references public.tenants (id) on delete cascade,
  plan_id     uuid not null,
  metric      text not null check (usage.metric_kind(metric) is not null),
  included    bigint not null default 0 check (included >= 0),
  -- Unit prices are per unit_size units (1; or 1,000 API requests).
  unit_size   bigint not null default 1 check (unit_size between 1 and 1000000000),
  tiers       jsonb not null constraint billing_plan_prices_tiers_valid check (billing.valid_tiers(tiers)),
  primary key (tenant_id, plan_id, metric),
  foreign key (tenant_id, plan_id) references public.billing_plans (tenant_id, id) on delete cascade
);

-- ---------------------------------------------------------------------------
-- Assignments
-- ---------------------------------------------------------------------------
create table public.billing_plan_assignments (
  tenant_id       uuid not null references public.tenants (id) on delete cascade,
  id              uuid not null default gen_random_uuid(),
  plan_tenant_id  uuid not null,
  plan_id         uuid not null,
  starts_on       date not null check (extract(day from starts_on) = 1),
  ends_on         date check (ends_on is null or (extract(day from ends_on) = 1 and ends_on > starts_on)),
  created_at      timestamptz not null default now(),
  created_by      uuid references public.users (id) on delete set null,
  primary key (tenant_id, id),
  foreign key (plan_tenant_id, plan_id) references public.billing_plans (tenant_id, id) on delete restrict
);
create index billing_plan_assignments_plan on public.billing_plan_assignments (plan_tenant_id, plan_id);

create function billing.check_assignment() returns trigger
  language plpgsql security definer
  set search_path = ''
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
create trigger billing_plan_assignments_check before insert or update on public.billing_plan_assignments
  for each row execute function billing.check_assignment();

-- ---------------------------------------------------------------------------
-- Invoices
-- ---------------------------------------------------------------------------
create table public.billing_invoices (
  tenant_id           uuid not null references public.tenants (id) on delete cascade,
  id                  uuid not null default gen_random_uuid(),
  -- The MSSP whose sequence numbers it (the root of the customer's path when
  -- drafted). A fact about the issuer, not a reference: an archive restored
  -- into another database keeps its numbers in the issuer's namespace.
  mssp_id             uuid not null,
  kind                text not null default 'invoice' check (kind in ('invoice', 'credit_note')),
  status              text not null default 'draft' check (status in ('draft', 'finalized')),
  number              integer check (number > 0),
  period_start        date not null check (extract(day from period_start) = 1),
  period_end          date not null check (period_end > period_start),
  currency            text not null check (currency ~ '^[A-Z]{3}$'),
  plan_id             uuid,
  plan_name           text not null,
  subtotal            bigint not null,
  total               bigint not null,
  credits_invoice_id  uuid,
  reason              text check (reason is null or length(reason) <= 500),
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  finalized_at        timestamptz,
  finalized_by        uuid references public.users (id) on delete set null,
  primary key (tenant_id, id),
  -- Deferred: a restore writes an archive's invoices in any order.
  foreign key (tenant_id, credits_invoice_id) references public.billing_invoices (tenant_id, id) deferrable initially deferred,
  constraint billing_invoices_numbered check ((status = 'finalized') = (number is not null and finalized_at is not null)),
  constraint billing_invoices_credit_shape check (
    (kind = 'invoice' and credits_invoice_id is null and total >= 0) or
    (kind = 'credit_note' and credits_invoice_id is not null and total < 0 and reason is not null)),
  constraint billing_invoices_number_unique unique (mssp_id, number)
);
-- One invoice per customer per month (credit notes as many as needed).
create unique index billing_invoices_one_per_period on public.billing_invoices (tenant_id, period_start) where kind = 'invoice';
create index billing_invoices_mssp_period on public.billing_invoices (mssp_id, period_start);

create table public.billing_invoice_lines (
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  invoice_id    uuid not null,
  line_no       integer not null check (line_no > 0),
  kind          text not null check (kind in ('usage', 'base_fee', 'minimum', 'credit')),
  description   text not null check (length(description) between 1 and 300),
  metric        text check (metric is null or usage.metric_kind(metric) is not null),
  quantity      bigint not null default 0,
  included      bigint not null default 0 check (included >= 0),
  billable      bigint not null default 0,
  tier_from     bigint,
  tier_to       bigint,
  unit_size     bigint not null default 1 check (unit_size >= 1),
  unit_price    bigint not null default 0,
  amount        bigint not null,
  usage_from    date,
  usage_to      date,
  primary key (tenant_id, invoice_id, line_no),
  foreign key (tenant_id, invoice_id) references public.billing_invoices (tenant_id, id) on delete cascade,
  constraint billing_invoice_lines_usage_shape check ((kind = 'usage') = (metric is not null))
);

-- Per-MSSP invoice numbers. The row is locked by the finalizing
-- transaction until it commits, so numbers come out in commit order without
-- gaps (a rolled-back finalization gives its number back with the lock).
create table billing.invoice_counters (
  mssp_id      uuid primary key references public.tenants (id) on delete cascade,
  last_number  integer not null default 0 check (last_number >= 0)
);
alter table billing.invoice_counters enable row level security;
alter table billing.invoice_counters force row level security;

-- A finalized invoice and its lines never change. A draft may be finalized
-- (this assigns the number); nothing else about a finalized row may differ.
-- Deleting the customer itself (the purge of an offboarded tenant, a
-- cascade) is the one way a finalized invoice goes.
create function billing.guard_invoice() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  n integer;
begin
  if tg_op = 'INSERT' then
    if keyring.restoring(new.tenant_id) then return new; end if;
    if new.status <> 'draft' or new.number is not null then
      raise exception 'an invoice is created as a draft and numbered when finalized' using errcode = '23514', hint = 'invoice_draft';
    end if;
    if new.kind = 'credit_note' and not exists (
         select 1 from public.billing_invoices o
          where o.tenant_id = new.tenant_id and o.id = new.credits_invoice_id
            and o.kind = 'invoice' and o.status = 'finalized' and o.currency = new.currency) then
      raise exception 'a credit note corrects a finalized invoice of the same customer, in its currency'
        using errcode = '23514', hint = 'credit_note_original';
    end if;
    return new;
  end if;
  if tg_op = 'DELETE' then
    -- A restore replacing the customer's rows with its archive's writes them back.
    if old.status = 'finalized' and exists (select 1 from public.tenants t where t.id = old.tenant_id)
       and not keyring.restoring(old.tenant_id) then
      raise exception 'invoice % is finalized and cannot be deleted; issue a credit note', old.number
        using errcode = '55000', hint = 'invoice_finalized';
    end if;
    return old;
  end if;
  if old.status = 'finalized' then
    raise exception 'invoice % is finalized and cannot be changed; issue a credit note', old.number
      using errcode = '55000', hint = 'invoice_finalized';
  end if;
  if new.status = 'finalized' then
    if new.tenant_id <> old.tenant_id or new.mssp_id <> old.mssp_id then
      raise exception 'an invoice keeps its customer' using errcode = '23514';
    end if;
    insert into billing.invoice_counters (mssp_id) values (new.mssp_id) on conflict (mssp_id) do nothing;
    update billing.invoice_counters set last_number = last_number + 1 where mssp_id = new.mssp_id returning last_number into n;
    new.number := n;
    new.finalized_at := now();
  elsif new.number is not null or new.finalized_at is not null then
    raise exception 'a draft has no number' using errcode = '23514', hint = 'invoice_draft';
  end if;
  new.updated_at := now();
  return new;
end
$$;
create trigger billing_invoices_guard before insert or update or delete on public.billing_invoices
  for each row execute function billing.guard_invoice();

create function billing.guard_invoice_lines() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  row_tenant uuid := coalesce(new.tenant_id, old.tenant_id);
  row_invoice uuid := coalesce(new.invoice_id, old.invoice_id);
  st text;
begin
  if tg_op = 'INSERT' and keyring.restoring(row_tenant) then return new; end if;
  -- The customer itself is being deleted (the purge of an offboarded tenant).
  if tg_op = 'DELETE' and (not exists (select 1 from public.tenants t where t.id = row_tenant) or keyring.restoring(row_tenant)) then return old; end if;
  select status into st from public.billing_invoices where tenant_id = row_tenant and id = row_invoice;
  -- A cascade from the invoice's own (allowed) delete finds no invoice: nothing to protect.
  if st = 'finalized' then
    raise exception 'the lines of a finalized invoice cannot be changed; issue a credit note'
      using errcode = '55000', hint = 'invoice_finalized';
  end if;
  if tg_op = 'UPDATE' and (new.tenant_id, new.invoice_id) is distinct from (old.tenant_id, old.invoice_id) then
    if exists (select 1 from public.billing_invoices where tenant_id = new.tenant_id and id = new.invoice_id and status = 'finalized') then
      raise exception 'the lines of a finalized invoice cannot be changed; issue a credit note'
        using errcode = '55000', hint = 'invoice_finalized';
    end if;
  end if;
  return coalesce(new, old);
end
$$;
create trigger billing_invoice_lines_guard before insert or update or delete on public.billing_invoice_lines
  for each row execute function billing.guard_invoice_lines();

-- A plan a finalized invoice was billed at keeps its prices.
create function billing.guard_plan() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  row_tenant uuid := coalesce(new.tenant_id, old.tenant_id);
  row_plan uuid;
begin
  if tg_table_name = 'billing_plans' then
    row_plan := coalesce(new.id, old.id);
    if tg_op = 'UPDATE' and (new.currency, new.base_fee, new.minimum) is not distinct from (old.currency, old.base_fee, old.minimum) then
      return new;
    end if;
  else
    row_plan := coalesce(new.plan_id, old.plan_id);
  end if;
  if tg_op = 'DELETE' and (not exists (select 1 from public.tenants t where t.id = row_tenant) or keyring.restoring(row_tenant)) then
    return old;
  end if;
  if tg_op = 'INSERT' and keyring.restoring(row_tenant) then
    return new;
  end if;
  if exists (select 1 from public.billing_invoices i
             where i.plan_id = row_plan and i.status = 'finalized' and i.mssp_id = row_tenant) then
    raise exception 'finalized invoices were billed at this plan''s prices, so they cannot change; create a new plan and assign it from the next month'
      using errcode = '55000', hint = 'plan_in_use';
  end if;
  return coalesce(new, old);
end
$$;
create trigger billing_plans_guard before update or delete on public.billing_plans
  for each row execute function billing.guard_plan();
create trigger billing_plan_prices_guard before insert or update or delete on public.billing_plan_prices
  for each row execute function billing.guard_plan();

-- ---------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------
alter table public.billing_plans enable row level security;
alter table public.billing_plans force row level security;
alter table public.billing_plan_prices enable row level security;
alter table public.billing_plan_prices force row level security;
alter table public.billing_plan_assignments enable row level security;
alter table public.billing_plan_assignments force row level security;
alter table public.billing_invoices enable row level security;
alter table public.billing_invoices force row level security;
alter table public.billing_invoice_lines enable row level security;
alter table public.billing_invoice_lines force row level security;

create policy "Plans are visible to the MSSP's admins"
  on public.billing_plans for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));
create policy "MSSP admins add plans"
  on public.billing_plans for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));
create policy "MSSP admins change plans"
  on public.billing_plans for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));
create policy "MSSP admins remove plans"
  on public.billing_plans for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));

create policy "Plan prices are visible to the MSSP's admins"
  on public.billing_plan_prices for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));
create policy "MSSP admins add plan prices"
  on public.billing_plan_prices for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));
create policy "MSSP admins change plan prices"
  on public.billing_plan_prices for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));
create policy "MSSP admins remove plan prices"
  on public.billing_plan_prices for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));

create policy "Plan assignments are visible to the MSSP's admins"
  on public.billing_plan_assignments for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));
create policy "MSSP admins assign plans"
  on public.billing_plan_assignments for insert to authenticated
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));
create policy "MSSP admins end plan assignments"
  on public.billing_plan_assignments for update to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))))
  with check (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));
create policy "MSSP admins remove plan assignments"
  on public.billing_plan_assignments for delete to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}'))));

-- A draft is the MSSP's work in progress (recomputed until finalized): the
-- customer's admins see an invoice once it is finalized.
create policy "Invoices are visible to the MSSP's admins, and once finalized to the customer's admins"
  on public.billing_invoices for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}')))
         or (status = 'finalized' and tenant_id = any (array(select tenancy.tenant_ids_with_role('{tenant_admin}')))));
create policy "Invoice lines are visible with their invoice"
  on public.billing_invoice_lines for select to authenticated
  using (tenant_id = any (array(select tenancy.tenant_ids_with_role('{mssp_admin}')))
         or (tenant_id = any (array(select tenancy.tenant_ids_with_role('{tenant_admin}')))
             and exists (select 1 from public.billing_invoices i
                          where i.tenant_id = billing_invoice_lines.tenant_id and i.id = billing_invoice_lines.invoice_id and i.status = 'finalized')));

select tenancy.add_frozen_write_policies('public.billing_plans', 'tenant_id');
select tenancy.add_frozen_write_policies('public.billing_plan_prices', 'tenant_id');
select tenancy.add_frozen_write_policies('public.billing_plan_assignments', 'tenant_id');
select tenancy.add_frozen_write_policies('public.billing_invoices', 'tenant_id');
select tenancy.add_frozen_write_policies('public.billing_invoice_lines', 'tenant_id');
select tenancy.add_tenant_id_guard('public.billing_plans');
select tenancy.add_tenant_id_guard('public.billing_plan_prices');
select tenancy.add_tenant_id_guard('public.billing_plan_assignments');
select tenancy.add_tenant_id_guard('public.billing_invoices');
select tenancy.add_tenant_id_guard('public.billing_invoice_lines');

-- ---------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------
revoke all on public.billing_plans, public.billing_plan_prices, public.billing_plan_assignments,
  public.billing_invoices, public.billing_invoice_lines from public, anon, authenticated, service_role, portal_app;
revoke all on billing.invoice_counters from public, anon, authenticated, service_role, portal_app;
grant select, insert, update, delete on public.billing_plans, public.billing_plan_prices, public.billing_plan_assignments to authenticated, service_role;
grant select on public.billing_invoices, public.billing_invoice_lines to authenticated;
grant select, insert, update, delete on public.billing_invoices, public.billing_invoice_lines to service_role;

revoke execute on all functions in schema billing from public, anon, authenticated, service_role, portal_app;
grant execute on function billing.valid_tiers(jsonb) to authenticated, service_role;
