-- An offboarded customer is invoiced for what it used (docs/billing.md, docs/tenant-lifecycle.md).
--
-- The offboarding purge used to delete the subtree's usage events and rollups, its plan
-- assignments and its invoice drafts like any other row: a customer offboarded before its
-- month was drafted (billing:draft runs on the 1st for the month before) or finalized was never
-- billed for it. Now the purge keeps, besides finalized invoices, what an invoice still to be
-- made needs (lib/lifecycle/catalog.ts OFFBOARD_KEPT_ROWS): the usage events, rollups and API
-- minute counts of every UTC month still unbilled, the plan assignments covering such a month,
-- and the invoice drafts of such a month. Metering only: tenant, metric, quantity, times, an
-- idempotency key, a source; no alert content. The monthly billing job removes them once their
-- month is invoiced and finalized (lib/billing/offboarded.ts).
--
-- Two predicates, read by the purge and by that clean-up (service role only):
--   billing.month_unbilled(tenant, day): the UTC month of `day` is still to be invoiced for the
--     customer that bills `tenant` (the tenant itself or its nearest customer ancestor): a plan of
--     the customer's current MSSP covers that month, and its invoice of the month is not finalized.
--   billing.assignment_unbilled(customer, starts_on, ends_on): some month of the assignment, up to
--     the current UTC month, is still unbilled.
-- Dates only: a timestamptz is turned into its UTC day by the caller, so the session's time zone
-- never moves a row into another month.

create function billing.month_unbilled(tenant uuid, day date) returns boolean
  language sql stable
  set search_path = pg_catalog, pg_temp
  as $$
    select exists (
      select 1
        from (select day - (extract(day from day)::int - 1) as start) m
        join public.tenants t on t.id = tenant
        cross join lateral (select c.id, c.path from public.tenants c
                             where c.kind = 'customer' and c.path operator(extensions.@>) t.path
                             order by extensions.nlevel(c.path) desc limit 1) c
        join public.tenants r on r.parent_id is null and r.path operator(extensions.@>) c.path
        join public.billing_plan_assignments a
          on a.tenant_id = c.id and a.plan_tenant_id = r.id
         and a.starts_on <= m.start and (a.ends_on is null or a.ends_on > m.start)
       where not exists (select 1 from public.billing_invoices i
                          where i.tenant_id = c.id and i.kind = 'invoice' and i.period_start = m.start and i.status = 'finalized'))
  $$;

create function billing.assignment_unbilled(customer uuid, starts_on date, ends_on date) returns boolean
  language sql stable
  set search_path = pg_catalog, pg_temp
  as $$
    select exists (
      select 1
        from generate_series(starts_on::timestamp,
                             (least(coalesce(ends_on, 'infinity'::date), (date_trunc('month', now() at time zone 'UTC') + interval '1 month')::date) - 1)::timestamp,
                             interval '1 month') g
       where billing.month_unbilled(customer, g::date))
  $$;

revoke execute on function billing.month_unbilled(uuid, date), billing.assignment_unbilled(uuid, date, date)
  from public, anon, authenticated, portal_app;
grant execute on function billing.month_unbilled(uuid, date), billing.assignment_unbilled(uuid, date, date) to service_role;
