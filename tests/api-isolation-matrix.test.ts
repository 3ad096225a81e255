// The isolation matrix through the tenant API (issue 11, "How it is proven"):
// every endpoint the gateway serves (API_ROUTES) × a key of each fixture
// tenant × every other tenant, over real HTTP to the real gateway
// (tests/helpers/collector-env.ts), real Postgres (RLS, the key's claims),
// real PDP. For each key K and each tenant T outside K's subtree:
//   - by path   /tenants/{T}/…          every endpoint: 404 problem (a tenant
//                                       outside the subtree reads as none)
//   - by host   T's host                every endpoint: 403 problem (for
//                                       every T other than K, its own sites
//                                       and customers included)
//   - by id     on K's own tenant, naming T's alert ids, asset ids and
//               external ids, collector names, credential ids, cursors and
//               users: 404/422 problems, rejected items, or K's own rows,
//               never one of T's
// and around each key's pass the other tenants' rows are compared as the
// owner (every tenant-scoped table but the audit trail, where refusals are
// written by design): 0 writes. No answer is a 5xx; every refusal is an RFC
// 9457 problem document; no answer carries an id or marker of another tenant.
import assert from "node:assert/strict";
import http from "node:http";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import type { Endpoint } from "@/lib/api/endpoint";
import { createApiKey } from "@/lib/api/keys/store";
import { API_SCOPES } from "@/lib/api/keys/scopes";
import { API_ROUTES } from "@/lib/api/routes";
import { tenantResource } from "@/lib/authz";
import { createCredential } from "@/lib/credentials";
import { withTenant } from "@/lib/db/with-tenant";
import { startApiServer, type ApiServer } from "./helpers/collector-env";
import { useFixtureEnv } from "./helpers/fixture-env";
import { TENANT_SLUGS, USERS, emailOf, subtree, type TenantSlug, type UserName } from "./helpers/fixtures";
import { assertSubtreeRollupsExact } from "./helpers/subtree-rollups";
import { withClient } from "./helpers/test-database";

let api: ApiServer;
const env = useFixtureEnv({ beforeDrop: () => api?.close() });

/** What each tenant holds beyond the fixtures, made through the API with its own key. */
interface Seeded {
  key: string;
  alertId: string;
  externalId: string;
  assetId: string;
  assetExternalId: string;
  collectorName: string;
  collectorId: string;
  credentialId: string;
  /** A next_cursor of the tenant's own alert list. */
  cursor: string;
  /** Everything of this tenant that must never appear in another tenant's answer. */
  markers: string[];
}
const seeded = {} as Record<TenantSlug, Seeded>;

const ADMIN: Record<TenantSlug, UserName> = {
  "mssp-a": "msspAdmin",
  acme: "acmeAdmin",
  "acme-eu": "acmeEuAdmin",
  "acme-us": "acmeUsAdmin",
  globex: "globexAdmin",
  "mssp-b": "msspBAdmin",
  "other-co": "otherCoAdmin",
};

interface Answer {
  status: number;
  type: string;
  text: string;
  json: any;
}

/** One request over HTTP with the given Host header (fetch may not set it). */
function send(host: string, method: string, path: string, key: string, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { host, authorization: `Bearer ${key}`, accept: "application/json" };
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(`${api.url}/api/v1${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

const hostOf = (slug: TenantSlug) => `${slug}.localhost:3000`;

/** A refusal: 4xx, an RFC 9457 problem document with the request id. */
function assertProblem(a: Answer, status: number | number[], what: string) {
  const allowed = Array.isArray(status) ? status : [status];
  assert.ok(allowed.includes(a.status), `${what}: expected ${allowed.join("/")}, got ${a.status} ${a.text.slice(0, 300)}`);
  assert.equal(a.type, "application/problem+json", `${what}: a problem document`);
  assert.equal(a.json?.status, a.status, `${what}: the problem's status`);
  assert.ok(typeof a.json?.title === "string" && typeof a.json?.request_id === "string", `${what}: title and request_id`);
}

/** No 5xx, and nothing of another tenant in the answer. */
function assertClean(a: Answer, others: TenantSlug[], what: string) {
  assert.ok(a.status < 500, `${what}: ${a.status} ${a.text.slice(0, 300)}`);
  // A problem's `instance` is the caller's own request path, echoed: not something the answer reveals.
  const text = a.type === "application/problem+json" && a.json ? JSON.stringify({ ...a.json, instance: undefined }) : a.text;
  for (const t of others) {
    for (const m of seeded[t].markers) assert.ok(!text.includes(m), `${what}: the answer carries ${t}'s ${m}`);
  }
}

/** A well-formed call of `e` (its path filled with `ids`), so a refusal is about the tenant, not the input. */
function sampleCall(e: Endpoint, ids: { alertId: string; collectorName: string; credentialId: string }): { method: string; path: string; body?: unknown } {
  const path = e.path.replace("{id}", ids.alertId).replace("{name}", encodeURIComponent(ids.collectorName));
  const tag = randomBytes(4).toString("hex");
  const bodies: Record<string, unknown> = {
    "POST /alerts": { alerts: [{ source: "matrix", external_id: `m-${tag}`, title: "matrix probe", severity: "low" }] },
    "PATCH /alerts/{id}": { status: "acknowledged" },
    "POST /assets": { assets: [{ external_id: `m-${tag}`, hostname: `probe-${tag}.example`, kind: "server" }] },
    "POST /collectors/heartbeat": { name: `probe-${tag}` },
    "POST /collectors/{name}/checkpoints": { credential_id: ids.credentialId, previous_cursor: null, cursor: `c-${tag}`, sent: 1 },
    "POST /collectors/{name}/credentials": {},
  };
  const body = bodies[`${e.method} ${e.path}`];
  if (e.body && body === undefined) throw new Error(`the matrix has no sample body for ${e.method} ${e.path}: add one`);
  return { method: e.method, path, body };
}

/**
 * The rows of `tenants` in every tenant-scoped table, as the owner: one
 * digest per (table, tenant). The audit trail is left out: a refusal is
 * written there, in the key's tenant and the addressed one, on purpose. So
 * are the subtree rollups: an ancestor's sums follow its descendants' alerts
 * (an MSSP's change when its customer's key ingests); they are checked against
 * their definition instead (assertSubtreeRollupsExact).
 */
async function snapshot(tenants: TenantSlug[]): Promise<Record<string, string>> {
  const tables = await env.owner<{ schema: string; name: string }>(
    `select c.table_schema as schema, c.table_name as name from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.column_name = 'tenant_id' and c.table_schema in ('public', 'usage')
        and c.table_name not in ('audit_log', 'alert_subtree_rollups', 'alert_subtree_blocks')
      order by 1, 2`,
  );
  const out: Record<string, string> = {};
  await withClient(env.db.url, async (c) => {
    for (const t of tables) {
      const { rows } = await c.query<{ tenant_id: string; n: string; digest: string }>(
        `select tenant_id::text, count(*) as n, md5(string_agg(x::text, '|' order by x::text)) as digest
           from "${t.schema}"."${t.name}" x where tenant_id = any ($1::uuid[]) group by tenant_id`,
        [tenants.map((s) => env.fx.tenants[s])],
      );
      for (const r of rows) out[`${t.schema}.${t.name}:${env.fx.slugOf(r.tenant_id)}`] = `${r.n}:${r.digest}`;
    }
  });
  return out;
}

env.before(async () => {
  api = await startApiServer();
  // Room for the whole matrix in a minute: the limits are not what is tested here.
  for (const slug of TENANT_SLUGS) {
    await env.owner(
      `insert into public.tenant_settings (tenant_id, key, value) values
         ($1, 'limits.api_requests_per_minute', '100000'), ($1, 'limits.api_key_requests_per_minute', '100000')
       on conflict (tenant_id, key) do update set value = excluded.value`,
      [env.fx.tenants[slug]],
    );
  }
  for (const slug of TENANT_SLUGS) {
    const user = ADMIN[slug];
    assert.deepEqual(USERS[user][0], [slug, USERS[user][0][1]]);
    const made = await withTenant({ userId: env.fx.users[user], email: emailOf(user), activeTenantId: null }, async (tx) => {
      const tenant = (await tenantResource(tx.db, env.fx.tenants[slug]))!;
      const key = await createApiKey(tx, { tenant, name: `matrix ${slug}`, scopes: [...API_SCOPES], expiresInDays: 7 });
      const credential = await createCredential(tx, {
        tenantId: env.fx.tenants[slug],
        connector: "generic_api_key",
        name: `Feed of ${slug}`,
        config: { baseUrl: "https://api.vendor.example/v2", headerName: "X-Api-Key", valuePrefix: "" },
        secret: `secret-${slug}-${randomBytes(8).toString("hex")}`,
      });
      return { key: key.key, credentialId: credential.id };
    });
    const host = hostOf(slug);
    const marker = `MARK${slug.replace(/-/g, "")}${randomBytes(6).toString("hex")}`;
    const assetExternalId = `asset-${slug}`;
    const assets = await send(host, "POST", "/assets", made.key, { assets: [{ external_id: assetExternalId, hostname: `${marker.toLowerCase()}.example`, kind: "server" }] });
    assert.equal(assets.status, 200, assets.text);
    const assetId = assets.json.results[0].id as string;
    const externalId = `alert-${slug}`;
    const alerts = await send(host, "POST", "/alerts", made.key, {
      alerts: [{ source: "matrix", external_id: externalId, title: `${marker} title`, severity: "high", asset_id: assetId, raw: { note: `${marker} raw` } }],
    });
    assert.equal(alerts.status, 200, alerts.text);
    const alertId = alerts.json.results[0].id as string;
    const collectorName = `collector-${slug}`;
    const hb = await send(host, "POST", "/collectors/heartbeat", made.key, { name: collectorName, version: marker });
    assert.equal(hb.status, 200, hb.text);
    const cp = await send(host, "POST", `/collectors/${collectorName}/checkpoints`, made.key, { credential_id: made.credentialId, previous_cursor: null, cursor: `${marker}-cursor`, sent: 1 });
    assert.equal(cp.status, 200, cp.text);
    const page = await send(host, "GET", "/alerts?limit=1", made.key);
    assert.equal(page.status, 200, page.text);
    assert.ok(page.json.next_cursor, `${slug} has a second page`);
    seeded[slug] = {
      key: made.key,
      alertId,
      externalId,
      assetId,
      assetExternalId,
      collectorName,
      collectorId: hb.json.id,
      credentialId: made.credentialId,
      cursor: page.json.next_cursor,
      markers: [marker, marker.toLowerCase(), alertId, assetId, hb.json.id, made.credentialId, ...env.fx.alerts[slug], ...env.fx.assets[slug]],
    };
  }
});

/** The tenant that owns each of these alert ids (as the owner). */
async function alertTenants(ids: string[]): Promise<TenantSlug[]> {
  if (ids.length === 0) return [];
  const rows = await env.owner<{ tenant_id: string }>("select tenant_id from public.alerts where id = any ($1::uuid[])", [ids]);
  assert.equal(rows.length, new Set(ids).size, "every returned id is an alert");
  return [...new Set(rows.map((r) => env.fx.slugOf(r.tenant_id)))];
}

describe("every endpoint × a key of each tenant × every other tenant", () => {
  for (const k of TENANT_SLUGS) {
    test(`a key of ${k}`, async () => {
      const own = seeded[k];
      const mine = subtree(k);
      const foreign = TENANT_SLUGS.filter((t) => !mine.includes(t));
      const notOwn = TENANT_SLUGS.filter((t) => t !== k);
      const auditBefore = await env.owner<{ n: string }>("select count(*) as n from public.audit_log");
      const before = await snapshot(foreign);
      let requests = 0;
      const call = async (host: string, method: string, path: string, body?: unknown) => {
        requests++;
        const a = await send(host, method, path, own.key, body);
        assertClean(a, foreign, `${k} key: ${method} ${path} on ${host}`);
        return a;
      };

      for (const t of foreign) {
        const theirs = seeded[t];
        for (const e of API_ROUTES) {
          const s = sampleCall(e as Endpoint, theirs);
          // By path: a tenant outside the key's subtree is the same 404 as no tenant.
          assertProblem(await call(hostOf(k), s.method, `/tenants/${t}${s.path}`, s.body), 404, `${k} → /tenants/${t}${s.path}`);
          assertProblem(await call("localhost:3000", s.method, `/tenants/${t}${s.path}`, s.body), 404, `${k} → console /tenants/${t}${s.path}`);
        }
        // By id, on the key's own tenant: the other tenant's alert does not exist here.
        assertProblem(await call(hostOf(k), "GET", `/alerts/${theirs.alertId}`), 404, `${k} GET ${t}'s alert`);
        assertProblem(await call(hostOf(k), "PATCH", `/alerts/${theirs.alertId}`, { status: "acknowledged" }), 404, `${k} PATCH ${t}'s alert`);
        assertProblem(await call(hostOf(k), "PATCH", `/alerts/${env.fx.alerts[t][0]}`, { status: "in_progress" }), 404, `${k} PATCH ${t}'s fixture alert`);
        // Its assets cannot be linked, by id or by external id: the items are rejected, nothing written.
        const byAsset = await call(hostOf(k), "POST", "/alerts", {
          alerts: [
            { source: "matrix", external_id: `link-${t}-1`, title: "link", severity: "low", asset_id: theirs.assetId },
            { source: "matrix", external_id: `link-${t}-2`, title: "link", severity: "low", asset_id: env.fx.assets[t][1] },
          ],
        });
        assert.equal(byAsset.status, 200, byAsset.text);
        assert.deepEqual(byAsset.json.results.map((r: { status: string }) => r.status), ["rejected", "rejected"]);
        if (k !== "mssp-a" && k !== "mssp-b") {
          // (An external id the key's own tenant does not hold; tested on tenants without one of that name.)
          const byExternal = await call(hostOf(k), "POST", "/alerts", {
            alerts: [{ source: "matrix", external_id: `linkx-${t}`, title: "link", severity: "low", asset_external_id: `asset-${t}` }],
          });
          assert.equal(byExternal.json.results[0].status, "rejected", byExternal.text);
        }
        // Their (source, external_id) is no duplicate here: a new alert of the key's own tenant.
        const same = await call(hostOf(k), "POST", "/alerts", { alerts: [{ source: "matrix", external_id: theirs.externalId, title: "same ids", severity: "low" }] });
        assert.equal(same.status, 200, same.text);
        const sameResult = same.json.results[0];
        assert.ok(["created", "duplicate"].includes(sameResult.status), same.text);
        assert.deepEqual(await alertTenants([sameResult.id]), [k]);
        // Their asset external id upserts an asset of the key's own tenant.
        const asset = await call(hostOf(k), "POST", "/assets", { assets: [{ external_id: theirs.assetExternalId, hostname: `mine-${t}.example` }] });
        assert.equal(asset.status, 200, asset.text);
        assert.notEqual(asset.json.results[0].id, theirs.assetId);
        // Their collector's name is a collector of the key's own tenant: its checkpoints are not theirs.
        const hb = await call(hostOf(k), "POST", "/collectors/heartbeat", { name: theirs.collectorName, last_error: null });
        assert.equal(hb.status, 200, hb.text);
        assert.notEqual(hb.json.id, theirs.collectorId);
        const cps = await call(hostOf(k), "GET", `/collectors/${theirs.collectorName}/checkpoints`);
        assert.equal(cps.status, 200, cps.text);
        assert.ok(cps.json.checkpoints.every((c: { credential_id: string }) => c.credential_id !== theirs.credentialId));
        // Advancing a checkpoint on their credential: no such credential here.
        assertProblem(
          await call(hostOf(k), "POST", `/collectors/${theirs.collectorName}/checkpoints`, { credential_id: theirs.credentialId, previous_cursor: null, cursor: "stolen", sent: 5 }),
          [404, 409, 422],
          `${k} checkpoint on ${t}'s credential`,
        );
        // Their cursor pages the key's own list, never theirs.
        const paged = await call(hostOf(k), "GET", `/alerts?limit=50&cursor=${encodeURIComponent(theirs.cursor)}`);
        if (paged.status === 200) assert.deepEqual((await alertTenants(paged.json.data.map((a: { id: string }) => a.id))).filter((s) => s !== k), []);
        else assertProblem(paged, [400, 422], `${k} with ${t}'s cursor`);
        // Their admin is no assignee here (an MSSP above the key's tenant is: its people work these alerts).
        if (!subtree(t).includes(k)) {
          const assign = await call(hostOf(k), "PATCH", `/alerts/${own.alertId}`, { assignee_id: env.fx.users[ADMIN[t]] });
          assertProblem(assign, [403, 404, 409, 422], `${k} assigns to ${t}'s admin`);
        }
        // A body naming their tenant is refused whole.
        assertProblem(
          await call(hostOf(k), "POST", "/alerts", { tenant_id: env.fx.tenants[t], alerts: [{ source: "matrix", external_id: `named-${t}`, title: "x", severity: "low" }] }),
          422,
          `${k} body naming ${t}`,
        );
        // An item naming it is rejected (the batch's other items would still be written: partial success).
        const item = await call(hostOf(k), "POST", "/alerts", { alerts: [{ tenant_id: env.fx.tenants[t], source: "matrix", external_id: `named2-${t}`, title: "x", severity: "low" }] });
        assert.equal(item.status, 200, item.text);
        assert.equal(item.json.results[0].status, "rejected", item.text);
        // Search for their marker finds nothing.
        const search = await call(hostOf(k), "GET", `/alerts?q=${encodeURIComponent(theirs.markers[0])}`);
        assert.equal(search.status, 200, search.text);
        assert.deepEqual(search.json.data, []);
      }

      // By host: on any host but its own (its sites' and customers' too), every endpoint is a 403.
      for (const t of notOwn) {
        for (const e of API_ROUTES) {
          const s = sampleCall(e as Endpoint, seeded[t]);
          assertProblem(await call(hostOf(t), s.method, s.path, s.body), 403, `${k} key on ${t}'s host: ${s.method} ${s.path}`);
        }
      }

      // The lists on its own tenant hold only its own rows.
      const list = await call(hostOf(k), "GET", "/alerts?limit=100");
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(await alertTenants(list.json.data.map((a: { id: string }) => a.id)), [k]);
      const assets = await call(hostOf(k), "GET", "/assets?limit=100");
      assert.equal(assets.status, 200, assets.text);
      const assetOwners = await env.owner<{ tenant_id: string }>("select distinct tenant_id from public.assets where id = any ($1::uuid[])", [assets.json.data.map((a: { id: string }) => a.id)]);
      assert.deepEqual(assetOwners.map((r) => env.fx.slugOf(r.tenant_id)), [k]);
      const usage = await call(hostOf(k), "GET", "/usage");
      assert.ok([200, 403].includes(usage.status), usage.text);

      // Control: a tenant below the key is reachable by path, and answers its own rows only.
      for (const t of mine.filter((s) => s !== k)) {
        const below = await call("localhost:3000", "GET", `/tenants/${t}/alerts?limit=100`);
        assert.equal(below.status, 200, below.text);
        assert.deepEqual(await alertTenants(below.json.data.map((a: { id: string }) => a.id)), [t]);
      }

      // Nothing written in any tenant outside the key's subtree.
      assert.deepEqual(await snapshot(foreign), before, `${k}'s pass changed another tenant's rows`);
      await withClient(env.db.url, (c) => assertSubtreeRollupsExact(c, `after ${k}'s pass`));
      // The refusals were audited (the trail grew), and the matrix was as big as it says.
      const auditAfter = await env.owner<{ n: string }>("select count(*) as n from public.audit_log");
      assert.ok(Number(auditAfter[0].n) > Number(auditBefore[0].n));
      assert.ok(requests >= foreign.length * API_ROUTES.length * 2 + notOwn.length * API_ROUTES.length, `${requests} requests`);
    });
  }

  test("the snapshot sees a write: the control (a write by the owner key of globex shows in globex's digest)", async () => {
    const before = await snapshot(["globex"]);
    for (const table of ["alerts", "alert_raw_events", "assets", "collectors", "collector_checkpoints", "credentials", "api_keys"]) {
      assert.ok(`public.${table}:globex` in before, `the snapshot covers public.${table}`);
    }
    const a = await send(hostOf("globex"), "POST", "/alerts", seeded.globex.key, { alerts: [{ source: "matrix", external_id: "control-write", title: "control", severity: "low" }] });
    assert.equal(a.status, 200, a.text);
    assert.notDeepEqual(await snapshot(["globex"]), before);
  });
});
