// The tenant tree of the scale data, in set-based SQL (generate_series,
// insert … select; the path trigger fills each row's ltree path from its
// parent, so each level is one statement after the one above it).
// Idempotent: slugs are stable (`<prefix>0001` …, `<customer>-site-2`,
// `<customer>-site-1-lab`) and every insert skips what is already there.
//
// Shape: `customers` customers under one MSSP; `siteShare` percent of them
// (picked by a hash of the slug, so the same ones every run) with 1–3
// sites; with `deepEvery` > 0, every n-th customer's first site gets a
// sub-site at depth 4 (MSSP → customer → site → sub-site).
import type { ClientBase } from "pg";

export interface TreeShape {
  msspId: string;
  /** Customer slugs are this prefix and a zero-padded number. */
  slugPrefix: string;
  /** Customer names are this prefix and the number. */
  namePrefix: string;
  /** Digits of the customer number in the slug. */
  digits: number;
  customers: number;
  /** Percent of the customers with 1–3 sites (default 30). */
  siteShare?: number;
  /** Every n-th customer's first site gets a sub-site at depth 4; 0 (default): none. */
  deepEvery?: number;
}

export interface TreeCounts {
  customers: number;
  sites: number;
  /** Of `sites`, those at depth 4. */
  deep: number;
}

/** The MSSP root with this slug, created if absent. Returns its id. */
export async function ensureMssp(client: ClientBase, slug: string, name: string): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `with added as (
       insert into public.tenants (parent_id, slug, name, kind) values (null, $1, $2, 'mssp')
       on conflict (slug) do nothing
       returning id
     )
     select id from added union all select id from public.tenants where slug = $1`,
    [slug, name],
  );
  return rows[0].id;
}

/** The customers (and their sites) of one MSSP whose slug starts with the prefix. */
const OF_SHAPE = `c.parent_id = $1 and left(c.slug, length($2)) = $2`;

export async function buildTree(client: ClientBase, shape: TreeShape): Promise<TreeCounts> {
  const customers = await client.query(
    `insert into public.tenants (parent_id, slug, name, kind)
     select $1, $2 || lpad(g::text, $4::int, '0'), $3 || g, 'customer'
       from generate_series(1, $5::int) g
     on conflict (slug) do nothing`,
    [shape.msspId, shape.slugPrefix, shape.namePrefix, shape.digits, shape.customers],
  );
  const sites = await client.query(
    `insert into public.tenants (parent_id, slug, name, kind)
     select c.id, c.slug || '-site-' || s, c.name || ' site ' || s, 'site'
       from public.tenants c
      cross join lateral generate_series(1, 1 + abs(hashtext(c.slug || '#sites')) % 3) s
      where ${OF_SHAPE} and abs(hashtext(c.slug)) % 100 < $3
     on conflict (slug) do nothing`,
    [shape.msspId, shape.slugPrefix, shape.siteShare ?? 30],
  );
  let deep = 0;
  if ((shape.deepEvery ?? 0) > 0) {
    const r = await client.query(
      `insert into public.tenants (parent_id, slug, name, kind)
       select s.id, s.slug || '-lab', s.name || ' lab', 'site'
         from public.tenants s
         join public.tenants c on c.id = s.parent_id
        where ${OF_SHAPE} and s.slug = c.slug || '-site-1'
          and substr(c.slug, length($2) + 1)::int % $3 = 0
       on conflict (slug) do nothing`,
      [shape.msspId, shape.slugPrefix, shape.deepEvery],
    );
    deep = r.rowCount ?? 0;
  }
  return { customers: customers.rowCount ?? 0, sites: (sites.rowCount ?? 0) + deep, deep };
}

/** Ids of the shape's customers (the roots of their subtrees), for the alerts and settings steps. */
export async function customerIds(client: ClientBase, shape: Pick<TreeShape, "msspId" | "slugPrefix">): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `select c.id from public.tenants c where ${OF_SHAPE} order by c.slug`,
    [shape.msspId, shape.slugPrefix],
  );
  return rows.map((r) => r.id);
}
