// Loads the demo tenant tree, users, assets and alerts — once. Runs as the
// database owner in one transaction: either everything is loaded or nothing
// is. If the MSSP root `sentinel` already exists the database is left alone
// (skipped: true), so it is safe to call on every start.
//
// Row-level security: the embedded database connects as a superuser, which
// RLS never applies to. When the connecting role is neither superuser nor
// BYPASSRLS (a Supabase `postgres` user, a managed cluster), the transaction
// switches to service_role, the one role the migrations grant BYPASSRLS to.
//
// Every value travels as a bind parameter (arrays expanded with unnest);
// no value is ever concatenated into SQL text.
import { hash, type Algorithm, type Options } from "@node-rs/argon2";
import type { ClientBase } from "pg";
import { mfaKey, openTotpSecret, sealTotpSecret } from "@/lib/auth/mfa-crypto";
import { base32Decode } from "@/lib/auth/totp";
import { insertDemoCredentials } from "./credentials";
import { generateDemoData } from "./generate";
import { DEMO_INDUSTRIES, DEMO_MSSP_SLUG, DEMO_TENANTS, demoTenantDepth } from "./tenants";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS } from "./users";
import { settings } from "@/lib/config";

export interface SeedDemoOptions {
  /** Alerts and assets are generated relative to this instant (default: now). */
  now?: Date;
  log?: (line: string) => void;
  /**
   * The NEXTAUTH_SECRET the portal will run with (default: the environment's).
   * The demo TOTP secret is sealed under a key derived from it
   * (lib/auth/mfa-crypto.ts); without one, no demo user is enrolled in MFA and
   * the MSSP users are asked to set it up at their first sign-in.
   */
  authSecret?: string;
}

export interface SeedDemoResult {
  tenants: number;
  users: number;
  alerts: number;
  assets: number;
  /** True when demo data was already loaded and nothing was written. */
  skipped: boolean;
}

// `Algorithm` is an ambient const enum (not present at runtime, and not
// readable under isolatedModules); 2 is Algorithm.Argon2id in index.d.ts.
const ARGON2ID = 2 as Algorithm;
/** OWASP password storage cheat sheet: argon2id, m=19 MiB, t=2, p=1. */
export const DEMO_ARGON2_OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

// Arbitrary constant: two processes starting on an empty database at once
// must not both load the demo (the second waits, then sees `sentinel`).
const SEED_LOCK_KEY = 727_002;

export async function seedDemo(client: ClientBase, opts: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  const log = opts.log ?? (() => {});
  const now = opts.now ?? new Date();
  const started = performance.now();

  await client.query("begin");
  try {
    await client.query("select pg_advisory_xact_lock($1)", [SEED_LOCK_KEY]);
    await bypassRowLevelSecurity(client);

    const existing = await client.query("select 1 from public.tenants where slug = $1", [DEMO_MSSP_SLUG]);
    if (existing.rowCount) {
      // Databases loaded before MFA existed, or under another NEXTAUTH_SECRET,
      // get the demo TOTP enrolment here; anything else is left alone.
      await enrolDemoMfa(client, opts.authSecret ?? settings().NEXTAUTH_SECRET, log);
      await client.query("commit");
      log(`demo data already loaded (tenant "${DEMO_MSSP_SLUG}" exists); skipping`);
      return { tenants: 0, users: 0, alerts: 0, assets: 0, skipped: true };
    }

    // argon2 runs on the libuv thread pool: hash while the rows are generated.
    const passwordHash = hash(DEMO_PASSWORD, DEMO_ARGON2_OPTIONS);
    passwordHash.catch(() => {}); // awaited below; never an unhandled rejection
    const data = generateDemoData({ now });

    const tenantIds = await insertTenants(client);
    const userIds = await insertUsers(client, await passwordHash);
    const memberships = await insertMemberships(client);
    const mfa = await enrolDemoMfa(client, opts.authSecret ?? settings().NEXTAUTH_SECRET, log);
    const assets = await insertAssets(client, data.assets, tenantIds);
    const alerts = await insertAlerts(client, data.alerts, tenantIds, userIds);
    const credentials = await insertDemoCredentials(client, tenantIds, now);
    // Industries (profile.industry): peer groups for the comparison and benchmark pages.
    await client.query(
      `insert into public.tenant_settings (tenant_id, key, value)
       select t.id, 'profile.industry', to_jsonb(i.industry) from unnest($1::text[], $2::text[]) as i(slug, industry) join public.tenants t on t.slug = i.slug`,
      [Object.keys(DEMO_INDUSTRIES), Object.values(DEMO_INDUSTRIES)],
    );

    await client.query("commit");
    const ms = Math.round(performance.now() - started);
    log(
      `demo data loaded: ${tenantIds.size} tenants, ${userIds.size} users (${memberships} memberships, ${mfa} with TOTP), ` +
        `${assets} assets, ${alerts} alerts, ${credentials} connector credentials in ${ms} ms`,
    );
    return { tenants: tenantIds.size, users: userIds.size, alerts, assets, skipped: false };
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw new Error(`loading demo data failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Inside the caller's transaction: service_role where the connecting role cannot bypass RLS (also lib/demo/scale). */
export async function bypassRowLevelSecurity(client: ClientBase): Promise<void> {
  const { rows } = await client.query<{ bypass: boolean }>(
    "select (rolsuper or rolbypassrls) as bypass from pg_catalog.pg_roles where rolname = current_user",
  );
  if (!rows[0]?.bypass) await client.query("set local role service_role");
}

/** Inserts the tree level by level (the path trigger reads the parent row). Returns slug -> id. */
async function insertTenants(client: ClientBase): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const depths = [...new Set(DEMO_TENANTS.map((t) => demoTenantDepth(t.slug)))].sort((a, b) => a - b);
  for (const depth of depths) {
    const level = DEMO_TENANTS.filter((t) => demoTenantDepth(t.slug) === depth);
    const { rows } = await client.query<{ id: string; slug: string }>(
      `insert into public.tenants (slug, name, kind, parent_id)
       select t.slug, t.name, t.kind, p.id
         from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as t(slug, name, kind, parent_slug)
         left join public.tenants p on p.slug = t.parent_slug
       returning id, slug`,
      [level.map((t) => t.slug), level.map((t) => t.name), level.map((t) => t.kind), level.map((t) => t.parentSlug)],
    );
    for (const r of rows) ids.set(r.slug, r.id);
  }
  return ids;
}

/** Every demo user shares one argon2id hash of DEMO_PASSWORD. Returns email -> id. */
async function insertUsers(client: ClientBase, passwordHash: string): Promise<Map<string, string>> {
  const { rows } = await client.query<{ id: string; email: string }>(
    `insert into public.users (email, name, password_hash)
     select u.email, u.name, $3
       from unnest($1::text[], $2::text[]) as u(email, name)
     returning id, email`,
    [DEMO_USERS.map((u) => normalizeEmail(u.email)), DEMO_USERS.map((u) => u.name), passwordHash],
  );
  return new Map(rows.map((r) => [r.email, r.id]));
}

async function insertMemberships(client: ClientBase): Promise<number> {
  const rows = DEMO_USERS.flatMap((u) =>
    u.memberships.map((m) => ({ email: normalizeEmail(u.email), slug: m.tenantSlug, role: m.role })),
  );
  const result = await client.query(
    `insert into public.memberships (tenant_id, user_id, role)
     select t.id, u.id, m.role
       from unnest($1::text[], $2::text[], $3::text[]) as m(email, slug, role)
       join public.users u on u.email = m.email
       join public.tenants t on t.slug = m.slug`,
    [rows.map((r) => r.email), rows.map((r) => r.slug), rows.map((r) => r.role)],
  );
  if (result.rowCount !== rows.length) {
    throw new Error(`expected ${rows.length} demo memberships, inserted ${result.rowCount}`);
  }
  return rows.length;
}

/**
 * Enrols the demo users marked `totp` with DEMO_TOTP_SECRET, sealed for their
 * row. A user who already has a factor that opens under the current key keeps
 * it; one sealed under another key (NEXTAUTH_SECRET changed) is replaced by the
 * demo secret, which is public anyway. Returns how many demo users have TOTP.
 */
async function enrolDemoMfa(client: ClientBase, authSecret: string | undefined, log: (line: string) => void): Promise<number> {
  const emails = DEMO_USERS.filter((u) => u.totp).map((u) => normalizeEmail(u.email));
  if (!authSecret) {
    log("NEXTAUTH_SECRET is not set: demo users are not enrolled in TOTP; MSSP users will be asked to set it up at sign-in");
    return 0;
  }
  const key = mfaKey(authSecret);
  const secret = base32Decode(DEMO_TOTP_SECRET);
  const { rows } = await client.query<{ id: string; sealed: string | null }>(
    `select u.id, f.totp_secret as sealed
       from public.users u left join public.user_mfa f on f.user_id = u.id
      where u.email = any ($1::text[])`,
    [emails],
  );
  for (const row of rows) {
    if (row.sealed && opens(row.id, row.sealed, key)) continue;
    await client.query(
      `insert into public.user_mfa (user_id, totp_secret, confirmed_at) values ($1, $2, now())
       on conflict (user_id) do update
         set totp_secret = excluded.totp_secret, confirmed_at = now(), last_used_step = null,
             failed_count = 0, locked_until = null`,
      [row.id, sealTotpSecret(row.id, secret, key)],
    );
  }
  return rows.length;
}

function opens(userId: string, sealed: string, key: Buffer): boolean {
  try {
    openTotpSecret(userId, sealed, key);
    return true;
  } catch {
    return false;
  }
}

async function insertAssets(
  client: ClientBase,
  assets: ReturnType<typeof generateDemoData>["assets"],
  tenantIds: Map<string, string>,
): Promise<number> {
  const result = await client.query(
    `insert into public.assets
       (tenant_id, id, hostname, ip_address, os, kind, criticality, owner_email, last_seen_at, created_at, updated_at)
     select a.tenant_id, a.id, a.hostname, a.ip_address, a.os, a.kind, a.criticality, a.owner_email,
            a.last_seen_at, a.created_at, coalesce(a.last_seen_at, a.created_at)
       from unnest($1::uuid[], $2::uuid[], $3::text[], $4::inet[], $5::text[], $6::text[], $7::text[],
                   $8::text[], $9::timestamptz[], $10::timestamptz[])
            as a(tenant_id, id, hostname, ip_address, os, kind, criticality, owner_email, last_seen_at, created_at)`,
    [
      assets.map((a) => tenantId(tenantIds, a.tenantSlug)),
      assets.map((a) => a.id),
      assets.map((a) => a.hostname),
      assets.map((a) => a.ipAddress),
      assets.map((a) => a.os),
      assets.map((a) => a.kind),
      assets.map((a) => a.criticality),
      assets.map((a) => a.ownerEmail),
      assets.map((a) => a.lastSeenAt?.toISOString() ?? null),
      assets.map((a) => a.createdAt.toISOString()),
    ],
  );
  return result.rowCount ?? 0;
}

const ALERT_BATCH = 2000;

async function insertAlerts(
  client: ClientBase,
  alerts: ReturnType<typeof generateDemoData>["alerts"],
  tenantIds: Map<string, string>,
  userIds: Map<string, string>,
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < alerts.length; i += ALERT_BATCH) {
    const batch = alerts.slice(i, i + ALERT_BATCH);
    const result = await client.query(
      `insert into public.alerts
         (tenant_id, id, title, description, severity, status, source, rule_name, asset_id, hostname,
          source_ip, assigned_to, detected_at, created_at, updated_at, resolved_at, acknowledged_at, close_reason)
       select *, case when s in ('resolved', 'false_positive') then 'Closed before the demo began.' end
         from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::text[], $9::uuid[], $10::text[], $11::inet[], $12::uuid[], $13::timestamptz[],
                     $14::timestamptz[], $15::timestamptz[], $16::timestamptz[], $17::timestamptz[])
              as u(t, i, ti, d, sev, s, src, r, a, h, ip, asg, det, cr, up, res, ack)`,
      [
        batch.map((a) => tenantId(tenantIds, a.tenantSlug)),
        batch.map((a) => a.id),
        batch.map((a) => a.title),
        batch.map((a) => a.description),
        batch.map((a) => a.severity),
        batch.map((a) => a.status),
        batch.map((a) => a.source),
        batch.map((a) => a.ruleName),
        batch.map((a) => a.assetId),
        batch.map((a) => a.hostname),
        batch.map((a) => a.sourceIp),
        batch.map((a) => (a.assigneeEmail ? (userIds.get(a.assigneeEmail) ?? null) : null)),
        batch.map((a) => a.detectedAt.toISOString()),
        batch.map((a) => a.createdAt.toISOString()),
        batch.map((a) => a.updatedAt.toISOString()),
        batch.map((a) => a.resolvedAt?.toISOString() ?? null),
        batch.map((a) => a.acknowledgedAt?.toISOString() ?? null),
      ],
    );
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}

function tenantId(ids: Map<string, string>, slug: string): string {
  const id = ids.get(slug);
  if (!id) throw new Error(`demo data references unknown tenant ${slug}`);
  return id;
}

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
