// Users and memberships of the scale data, where a caller needs a realistic
// membership table (the benchmark: the policy helpers look memberships up on
// every statement). Set-based: MSSP staff (one admin, the rest analysts) per
// MSSP, and an admin and a viewer per customer of those MSSPs. Emails are
// stable (`staff3@<mssp>.test`, `admin@<customer>.test`); a second run adds
// nothing.
import type { ClientBase } from "pg";

export async function seedPopulation(client: ClientBase, opts: { msspIds: string[]; staffPerMssp?: number }): Promise<{ users: number; memberships: number }> {
  const staff = opts.staffPerMssp ?? 20;
  let users = 0;
  let memberships = 0;
  const add = async (sql: string, params: unknown[], into: "users" | "memberships") => {
    const n = (await client.query(sql, params)).rowCount ?? 0;
    if (into === "users") users += n;
    else memberships += n;
  };
  await add(
    `insert into public.users (email, name)
     select 'staff' || g || '@' || m.slug || '.test', 'Staff ' || g
       from public.tenants m, generate_series(1, $2::int) g where m.id = any($1::uuid[])
     on conflict do nothing`,
    [opts.msspIds, staff],
    "users",
  );
  await add(
    `insert into public.memberships (tenant_id, user_id, role)
     select m.id, u.id, case when g = 1 then 'mssp_admin' else 'mssp_analyst' end
       from public.tenants m
      cross join generate_series(1, $2::int) g
       join public.users u on u.email = 'staff' || g || '@' || m.slug || '.test'
      where m.id = any($1::uuid[])
     on conflict do nothing`,
    [opts.msspIds, staff],
    "memberships",
  );
  await add(
    `insert into public.users (email, name)
     select r || '@' || c.slug || '.test', c.name || ' ' || r
       from public.tenants c, unnest(array['admin', 'viewer']) r
      where c.parent_id = any($1::uuid[]) and c.kind = 'customer'
     on conflict do nothing`,
    [opts.msspIds],
    "users",
  );
  await add(
    `insert into public.memberships (tenant_id, user_id, role)
     select c.id, u.id, case when r = 'admin' then 'tenant_admin' else 'tenant_viewer' end
       from public.tenants c
      cross join unnest(array['admin', 'viewer']) r
       join public.users u on u.email = r || '@' || c.slug || '.test'
      where c.parent_id = any($1::uuid[]) and c.kind = 'customer'
     on conflict do nothing`,
    [opts.msspIds],
    "memberships",
  );
  return { users, memberships };
}
