-- The alert list's full-text search through its index, for any number of
-- tenants (issue 13, point 7: every page's database work p95 < 150 ms).
--
-- Why: under row-level security Postgres uses an index for a condition of the
-- query only when that condition is LEAKPROOF (it could otherwise see rows the
-- policy has not yet let through). `search @@ tsquery` is not, and only a
-- superuser can say otherwise, so through RLS the search index
-- (alerts_search) is never used: each alert the policy lets through is read
-- and tested. For a customer (a few thousand alerts) that is cheap. For an
-- MSSP admin over 1,617 tenants and 2,000,000 alerts (npm run bench, kept
-- database) a search read every visible alert: a host name or a word that
-- matches nothing took 13 s, a rule 18 s, the capped count of a common word
-- 1.2 s, where the same statements as the owner with the tenant list take
-- 0.06-72 ms.
--
-- What: search.alert_page counts the matches up to the cap and returns one page
-- of their ids (sorted from the matches in hand when they are all there) as the owner with the caller's visible tenants as a
-- constant, so the planner may use the search index and hashes the tenant
-- list. What it may return is exactly what the alerts policy shows: tenants of
-- tenancy.visible_tenant_ids() (the policy's own set, computed here the same
-- way), narrowed to p_tenants (the PDP-readable ones, or a tenant filter).
-- It returns ids and a count, never a row: lib/alerts/list.ts reads the page's
-- rows through RLS by id, in the same order. The conditions mirror listAlerts' filters one for
-- one, from typed parameters (no SQL text comes in); tests/alert-search.test.ts
-- compares both over every filter, sort and page for several callers, and
-- tries other tenants' ids.

-- Its own schema, which PostgREST does not serve: authenticated may use it for this one function.
create schema search;
revoke all on schema search from public;
grant usage on schema search to authenticated;

create function search.alert_page(
    p_q text, p_tenants uuid[],
    p_severity text, p_statuses text[],
    p_assignee uuid, p_unassigned boolean,
    p_group uuid, p_no_group boolean, p_my_groups boolean,
    p_from timestamptz, p_before timestamptz,
    p_sort text, p_page integer, p_page_size integer, p_cap integer)
  returns table (matched integer, page integer, tenant_ids uuid[], ids uuid[])
  language plpgsql stable security definer
  set search_path = ''
  -- A common word's matches across an MSSP's tenants (200,000 at 2M alerts) overflow the default 4 MB
  -- bitmap into whole pages whose every row is rechecked: 853 ms against 360 ms with 32 MB, measured
  -- for open 'brute force' alerts by severity over 1,617 tenants. For this call only.
  set work_mem = '32MB'
  as $$
declare
  -- The tenants searched: those asked for (all when null) that the caller sees, as the alerts policy
  -- decides it (tenancy.visible_tenant_ids()). One list: the planner estimates each list element by
  -- element (~8 ms for 1,600 tenants), so the two are intersected here rather than both in the query.
  searched constant uuid[] := case when p_tenants is null then array(select tenancy.visible_tenant_ids())
    else array(select v.id from tenancy.visible_tenant_ids() v(id)
                 join (select distinct t.id from unnest(p_tenants) t(id)) t on t.id operator(pg_catalog.=) v.id) end;
  conds text := 'a.search operator(pg_catalog.@@) pg_catalog.websearch_to_tsquery(''english'', $1)'
             || ' and a.tenant_id operator(pg_catalog.=) any ($2)';
  order_by text;
  pages integer;
  m_tenants uuid[];
  m_ids uuid[];
  m_detected timestamptz[];
  m_updated timestamptz[];
  m_severities text[];
  small_scope boolean := false;
  bitmaps text;
begin
  if p_q is null or length(p_q) = 0 or length(p_q) > 200 then
    raise exception 'search: the text must be 1 to 200 characters' using errcode = '22023';
  end if;
  if p_page is null or p_page < 1 or p_page_size is null or p_page_size not between 1 and 200
     or p_cap is null or p_cap not between 1 and 100000 then
    raise exception 'search: page, page size or cap out of range' using errcode = '22023';
  end if;
  order_by := case p_sort
    when 'newest' then 'a.detected_at desc, a.id desc'
    when 'oldest' then 'a.detected_at, a.id'
    when 'severity' then 'case a.severity when ''critical'' then 0 when ''high'' then 1 when ''medium'' then 2 when ''low'' then 3 else 4 end, a.detected_at desc, a.id desc'
    when 'updated' then 'a.updated_at desc, a.id desc'
  end;
  if order_by is null then
    raise exception 'search: unknown sort %', p_sort using errcode = '22023';
  end if;
  if p_severity is not null then conds := conds || ' and a.severity = $3'; end if;
  if p_statuses is not null then conds := conds || ' and a.status = any ($4)'; end if;
  if p_unassigned then conds := conds || ' and a.assigned_to is null';
  elsif p_assignee is not null then conds := conds || ' and a.assigned_to = $5';
  end if;
  if p_no_group then conds := conds || ' and a.assigned_group_id is null';
  elsif p_my_groups then
    -- The caller's own group memberships (its claims' user, never a parameter).
    conds := conds || ' and (a.assigned_group_tenant_id, a.assigned_group_id) in'
                   || ' (select m.tenant_id, m.group_id from public.assignee_group_members m where m.user_id = $6)';
  elsif p_group is not null then conds := conds || ' and a.assigned_group_id = $7';
  end if;
  if p_from is not null then conds := conds || ' and a.detected_at >= $8'; end if;
  if p_before is not null then conds := conds || ' and a.detected_at < $9'; end if;

  -- A scope of few alerts (a customer's few thousand) is read faster through the tenants' index, each
  -- alert tested, than through the search index's entry for a common word (measured at 2M alerts: a
  -- customer's 2,700 alerts ~5 ms; 'powershell', whose entry lists 200,000 alerts, ~85 ms), but the
  -- planner prices the search index too low and takes it. Below 20,000 alerts in the tenants searched
  -- (counted through the tenant index, stopping there; not asked for a scope of over 200 tenants) the
  -- bitmap scans the search index needs are off for the two statements below: set for the
  -- transaction and put back after them; an error aborts the transaction, and a savepoint's rollback
  -- undoes the setting with it.
  if cardinality(searched) <= 200 then
    execute 'select count(*) < 20000 from (select 1 from public.alerts a where a.tenant_id = any ($1) limit 20000) c'
       into small_scope using searched;
  end if;
  if small_scope then
    bitmaps := current_setting('enable_bitmapscan');
    perform set_config('enable_bitmapscan', 'off', true);
  end if;

  -- The count: up to cap + 1 matches in any order (the planner may take them from the search index
  -- and stop there), with what the list sorts by.
  execute 'select coalesce(array_agg(a.tenant_id), ''{}''), coalesce(array_agg(a.id), ''{}''), coalesce(array_agg(a.detected_at), ''{}''),'
       || ' coalesce(array_agg(a.updated_at), ''{}''), coalesce(array_agg(a.severity), ''{}''), count(*)::int'
       || ' from (select a.tenant_id, a.id, a.detected_at, a.updated_at, a.severity from public.alerts a where ' || conds || ' limit $10) a'
     into m_tenants, m_ids, m_detected, m_updated, m_severities, matched
    using p_q, searched, p_severity, p_statuses, p_assignee, auth.uid(),
          p_group, p_from, p_before, p_cap + 1;
  pages := greatest(1, ceil(least(matched, p_cap)::numeric / p_page_size)::int);
  page := least(p_page, pages);
  if matched <= p_cap then
    -- Every match is in hand: the page is sorted from them, not searched again.
    execute 'select coalesce(array_agg(x.tenant_id order by x.n), ''{}''), coalesce(array_agg(x.id order by x.n), ''{}'') from ('
         || 'select a.tenant_id, a.id, row_number() over (order by ' || order_by || ') as n'
         || ' from unnest($1, $2, $3, $4, $5) a(tenant_id, id, detected_at, updated_at, severity)) x'
         || ' where x.n > $6 and x.n <= $7'
       into tenant_ids, ids
      using m_tenants, m_ids, m_detected, m_updated, m_severities, (page - 1) * p_page_size, page * p_page_size;
  else
    -- More than the cap match: the page in the list's order (numbered so the arrays keep it).
    execute 'select coalesce(array_agg(x.tenant_id order by x.n), ''{}''), coalesce(array_agg(x.id order by x.n), ''{}'') from ('
         || 'select a.tenant_id, a.id, row_number() over (order by ' || order_by || ') as n'
         || ' from public.alerts a where ' || conds
         || ' order by ' || order_by || ' limit $10 offset $11) x'
       into tenant_ids, ids
      using p_q, searched, p_severity, p_statuses, p_assignee, auth.uid(),
            p_group, p_from, p_before, p_page_size, (page - 1) * p_page_size;
  end if;
  if small_scope then
    perform set_config('enable_bitmapscan', bitmaps, true);
  end if;
  return next;
end
$$;
revoke all on function search.alert_page(text, uuid[], text, text[], uuid, boolean, uuid, boolean, boolean,
  timestamptz, timestamptz, text, integer, integer, integer) from public, anon, authenticated, service_role, portal_app;
grant execute on function search.alert_page(text, uuid[], text, text[], uuid, boolean, uuid, boolean, boolean,
  timestamptz, timestamptz, text, integer, integer, integer) to authenticated;
