-- usage.subtree_daily (migration 20261201024520) for a customer's people: a customer's own /usage
-- page and its reports (issue 13, point 7: each page query through RLS within 1.15x of the
-- owner's; npm run bench -- --only=17).
--
-- Why: 20261201024520 runs both of its statements through EXECUTE so that they are planned with the
-- arrays' sizes known: the console's call names every customer as a root (1,000+), and an MSSP admin
-- sees 1,600+ tenants. A customer admin's call (one root, a handful of tenants) then paid two parses
-- and two plans at every call, each rewriting the tenants' and the rollups' policies. On the scale seed
-- (1,675 tenants, 36 days of rollups), a loop of calls as a customer admin (1 root, 4 tenants): 0.84 ms
-- a call with EXECUTE, 0.53 ms with static statements, the same rows (md5 of the answer compared); the
-- page's two statements were 1.32x and 1.25x the owner's, whose statement is prepared once per
-- connection.
--
-- What: the same arguments, result and security (invoker: RLS on tenants and usage_rollups decides
-- what is summed). For a caller none of whose roots is an MSSP (a customer's or a site's people, a
-- customer's API key: the claims name each root's kind), both statements are static PL/pgSQL
-- statements, whose plans the connection keeps, and the subtrees come from the path index (few roots);
-- for anyone else both go through EXECUTE as before. The bound is the caller, not the number of roots:
-- Postgres may keep a generic plan (made without the values) after five calls, and a generic plan
-- takes the policy's tenant array for 10 ids. For a customer that is about right; for an MSSP admin it
-- drove the second statement from the policy (290,880 rollup rows read for three customers' 6
-- tenants): 37 ms a call against 4.9 ms through EXECUTE. tests/usage-subtree-daily.test.ts checks both
-- forms against the owner's sums for every fixture caller.
--
-- And for the MSSP itself as a root (the MSSP host's /usage chart; every tenant's daily rows, 290,880 of
-- them in 30 days for 1,617 tenants): Postgres took the rollups' policy array for 10 ids, expected 1,803
-- rows, and merge-joined them with the subtree after an external sort of the 290,880 (17 MB on disk):
-- 196 ms a call. With merge joins off for this function it hashes the 1,617 subtree tenants instead:
-- 98 ms, against 92 ms for the owner's plain sum of the same rows. The other calls measured the same with
-- it as without (a customer admin 0.53 ms, three customers 6.3 ms, every customer's month 58 ms).
--
-- The rollback puts 20261201024520's body back.
create or replace function usage.subtree_daily(roots uuid[], from_day timestamptz, to_day timestamptz)
  returns table (root_id uuid, day timestamptz, metric text, quantity numeric)
  language plpgsql stable
  set search_path = ''
  -- See "And for the MSSP itself as a root" above.
  set enable_mergejoin = off
  as $fn$
declare
  v_roots uuid[];
  v_tenants uuid[];
  -- A caller none of whose roots is an MSSP sees within one customer's subtree (the claims of a person
  -- and of an API key list each root with its kind; read with auth.jwt(), as the tenancy helpers read
  -- them). An MSSP's people, or no claims at all (the owner): the EXECUTE forms.
  v_small constant boolean := coalesce((
      select bool_and(e ->> 'kind' is distinct from 'mssp')
        from (select auth.jwt() -> 'tenants' as roots) c,
             jsonb_array_elements(case when jsonb_typeof(c.roots) = 'array' then c.roots else '[]' end) e), false);
begin
  if v_small then
    -- Each root's subtree from the path index (the tenants the caller sees).
    select coalesce(array_agg(r.id), '{}'), coalesce(array_agg(t.id), '{}')
      into v_roots, v_tenants
      from public.tenants r
      join public.tenants t on t.path operator(extensions.<@) r.path
     where r.id = any (roots);
  else
    -- Every visible tenant's ancestors by path prefix, matched to the roots by hash (no pairwise
    -- comparison of paths when the console names every customer).
    execute $q$
      select coalesce(array_agg(r.id), '{}'), coalesce(array_agg(t.id), '{}')
        from public.tenants t
        cross join lateral generate_series(1, extensions.nlevel(t.path)) k(n)
        join public.tenants r on r.path::text = extensions.subpath(t.path, 0, k.n)::text
       where r.id = any ($1)
    $q$ into v_roots, v_tenants using roots;
  end if;

  -- The daily rollups of those tenants, summed per root.
  if v_small then
    return query
      select s.root_id, d.period_start, d.metric, sum(d.quantity)
        from unnest(v_roots, v_tenants) s(root_id, tenant_id)
        join public.usage_rollups d on d.tenant_id = s.tenant_id and d.grain = 'day'
       where d.period_start >= from_day and d.period_start < to_day
       group by s.root_id, d.period_start, d.metric;
  else
    return query execute $q$
      select s.root_id, d.period_start, d.metric, sum(d.quantity)
        from unnest($1::uuid[], $2::uuid[]) s(root_id, tenant_id)
        join public.usage_rollups d on d.tenant_id = s.tenant_id and d.grain = 'day'
       where d.period_start >= $3 and d.period_start < $4
       group by s.root_id, d.period_start, d.metric
    $q$ using v_roots, v_tenants, from_day, to_day;
  end if;
end
$fn$;
