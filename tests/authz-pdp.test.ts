// When the PDP cannot answer, the answer is deny — with PdpUnavailableError,
// never a silent allow: the server stopped, the wrong port, no URL at all, a
// server that hangs, a server that errors. And the principal the PDP sees can
// only be the one built from the caller's claims.
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import {
  authorize,
  checkAction,
  checkActions,
  checkActionsForEach,
  isAuthorizationError,
  isPdpUnavailable,
  PdpUnavailableError,
  principalFromClaims,
  requireAction,
  type Principal,
  type TenantResource,
} from "@/lib/authz";
import { freePort } from "@/scripts/lib/embedded-postgres";
import { startCerbos } from "@/scripts/lib/cerbos";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

const ACME: TenantResource = { id: "00000000-0000-4000-8000-00000000acme", path: "mssp_a.acme", kind: "customer", status: "active" };
const acmeAdmin = () =>
  principalFromClaims({
    sub: "00000000-0000-4000-8000-000000000001",
    tenants: [{ tenant_id: ACME.id, slug: "acme", name: "Acme", kind: "customer", path: ACME.path, role: "tenant_admin" }],
  });

/** Asserts the promise rejects with PdpUnavailableError and returns it. */
async function assertUnavailable(p: Promise<unknown>, reason?: RegExp): Promise<PdpUnavailableError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof PdpUnavailableError, `expected PdpUnavailableError, got ${String(caught)}`);
  assert.ok(isPdpUnavailable(caught));
  assert.ok(!isAuthorizationError(caught));
  assert.match(caught.message, /Authorization service unavailable — nothing was changed/);
  if (reason) assert.match(caught.reason, reason);
  return caught;
}

/** Every entry point refuses, none resolves to an answer. */
async function assertAllUnavailable(reason?: RegExp) {
  const p = acmeAdmin();
  await assertUnavailable(checkAction(p, "alerts:read", ACME), reason);
  await assertUnavailable(checkActions(p, ["alerts:read", "users:manage"], ACME), reason);
  await assertUnavailable(checkActionsForEach(p, ["alerts:read"], [ACME]), reason);
  await assertUnavailable(requireAction(p, "alerts:read", ACME), reason);
}

const savedUrl = process.env.CERBOS_URL;
const savedTimeout = process.env.CERBOS_TIMEOUT_MS;
after(() => {
  process.env.CERBOS_URL = savedUrl;
  if (savedTimeout === undefined) delete process.env.CERBOS_TIMEOUT_MS;
  else process.env.CERBOS_TIMEOUT_MS = savedTimeout;
});

describe("PDP unreachable or failing → denied with PdpUnavailableError", () => {
  test("the PDP is stopped", async () => {
    const pdp = await startCerbos();
    process.env.CERBOS_URL = pdp.url;
    assert.equal(await checkAction(acmeAdmin(), "users:manage", ACME), true, "control: the running PDP allows");
    await pdp.stop();
    await assertAllUnavailable(/fetch failed|ECONNREFUSED/);
  });

  test("CERBOS_URL points at the wrong port", async () => {
    process.env.CERBOS_URL = `http://127.0.0.1:${await freePort()}`;
    await assertAllUnavailable(/fetch failed|ECONNREFUSED/);
  });

  test("CERBOS_URL is not set", async () => {
    delete process.env.CERBOS_URL;
    await assertAllUnavailable(/CERBOS_URL is not set/);
    process.env.CERBOS_URL = "";
    await assertAllUnavailable(/CERBOS_URL is not set/);
  });

  describe("a PDP that accepts connections and never answers", () => {
    let server: net.Server;
    const sockets = new Set<net.Socket>();
    before(async () => {
      server = net.createServer((s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      process.env.CERBOS_URL = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    });
    after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
      delete process.env.CERBOS_TIMEOUT_MS;
    });

    test("times out after the default 2 s", async () => {
      delete process.env.CERBOS_TIMEOUT_MS;
      const started = Date.now();
      await assertUnavailable(checkAction(acmeAdmin(), "alerts:read", ACME), /no answer within 2000 ms/);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1900 && elapsed < 5000, `took ${elapsed} ms`);
    });

    test("CERBOS_TIMEOUT_MS shortens it", async () => {
      process.env.CERBOS_TIMEOUT_MS = "200";
      await assertAllUnavailable(/no answer within 200 ms/);
    });
  });

  describe("a PDP that answers with errors or nonsense", () => {
    let server: http.Server;
    let respond: (res: http.ServerResponse) => void = () => {};
    before(async () => {
      server = http.createServer((req, res) => {
        req.resume();
        req.on("end", () => respond(res));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      process.env.CERBOS_URL = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    });
    after(() => new Promise((r) => server.close(r)));

    test("an error status from Cerbos", async () => {
      respond = (res) => res.writeHead(500, { "content-type": "application/json" }).end('{"code":13,"message":"internal error"}');
      await assertAllUnavailable(/internal error/);
    });

    test("a proxy's HTML error page", async () => {
      respond = (res) => res.writeHead(502, { "content-type": "text/html" }).end("<html>Bad Gateway</html>");
      await assertAllUnavailable();
    });

    test("an answer with no decision for the resource", async () => {
      respond = (res) => res.writeHead(200, { "content-type": "application/json" }).end('{"results":[]}');
      const p = acmeAdmin();
      await assertUnavailable(checkAction(p, "alerts:read", ACME));
      await assertUnavailable(requireAction(p, "alerts:read", ACME));
      // The batch over many tenants cannot fail one row without failing all: a
      // tenant with no decision is simply not allowed anything.
      const batch = await checkActionsForEach(p, ["alerts:read"], [ACME]);
      assert.deepEqual(batch.get(ACME.id), { "alerts:read": false });
    });

    test("an answer without the asked action is a deny, never an allow", async () => {
      respond = (res) =>
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            results: [{ resource: { id: ACME.id, kind: "tenant", scope: ACME.path }, actions: { "alerts:read": "EFFECT_ALLOW" } }],
          }),
        );
      const p = acmeAdmin();
      assert.deepEqual(await checkActions(p, ["alerts:read", "users:manage"], ACME), {
        "alerts:read": true,
        "users:manage": false,
      });
      await assert.rejects(requireAction(p, "users:manage", ACME), (e: unknown) => isAuthorizationError(e));
    });
  });
});

describe("with the PDP down, a server action changes nothing", () => {
  let db: TestDatabase;
  let fx: Fixtures;
  before(async () => {
    db = await createTestDatabase();
    fx = await insertFixtures(db.url);
  });
  after(() => db?.drop());

  test("authorize() throws before the write; the transaction rolls back", async () => {
    process.env.CERBOS_URL = `http://127.0.0.1:${await freePort()}`;
    const alertId = fx.alerts.acme[0];
    await assertUnavailable(
      as(fx, "acmeAdmin", async (tx) => {
        await authorize(tx, "alerts:triage", fx.tenants.acme);
        await tx.client.query("update public.alerts set status = 'resolved' where id = $1", [alertId]);
      }),
    );
    const owner = new pg.Client({ connectionString: db.url });
    await owner.connect();
    try {
      const { rows } = await owner.query("select status from public.alerts where id = $1", [alertId]);
      assert.equal(rows[0].status, "new");
    } finally {
      await owner.end();
    }
  });
});

describe("the principal can only come from claims", () => {
  let pdp: Awaited<ReturnType<typeof startCerbos>>;
  before(async () => {
    pdp = await startCerbos();
    process.env.CERBOS_URL = pdp.url;
  });
  after(() => pdp?.stop());

  const forged = {
    id: "00000000-0000-4000-8000-000000000666",
    memberships: [{ tenant_id: ACME.id, path: "mssp_a", role: "mssp_admin" }],
  } as Principal;

  test("a hand-built principal is refused before anything is sent", async () => {
    for (const call of [
      () => checkAction(forged, "tenants:suspend", ACME),
      () => checkActions(forged, ["tenants:suspend"], ACME),
      () => checkActionsForEach(forged, ["tenants:suspend"], [ACME]),
      () => requireAction(forged, "tenants:suspend", ACME),
    ]) {
      await assert.rejects(call(), /not built by principalFromClaims/);
    }
  });

  test("a copy of a real principal with extra memberships is refused", async () => {
    const real = acmeAdmin();
    const widened = { ...real, memberships: [...real.memberships, ...forged.memberships] } as Principal;
    await assert.rejects(checkAction(widened, "tenants:suspend", ACME), /not built by principalFromClaims/);
    assert.equal(await checkAction(real, "tenants:suspend", ACME), false, "control: the real one asks and is denied");
  });

  test("a real principal cannot be altered after it was built", () => {
    const real = acmeAdmin();
    assert.throws(() => (real.memberships as PrincipalMembershipArray).push(forged.memberships[0]), TypeError);
    assert.throws(() => {
      (real.memberships[0] as { role: string }).role = "mssp_admin";
    }, TypeError);
    assert.throws(() => {
      (real as { id: string }).id = forged.id;
    }, TypeError);
  });

  test("only tenant_id, path and role of each membership reach the PDP", () => {
    const p = principalFromClaims({
      sub: "00000000-0000-4000-8000-000000000002",
      tenants: [
        { tenant_id: ACME.id, slug: "acme", name: "Acme", kind: "customer", path: ACME.path, role: "tenant_viewer", extra: "x" } as never,
      ],
    });
    assert.deepEqual(JSON.parse(JSON.stringify(p)), {
      id: "00000000-0000-4000-8000-000000000002",
      memberships: [{ tenant_id: ACME.id, path: ACME.path, role: "tenant_viewer" }],
    });
  });
});

type PrincipalMembershipArray = Principal["memberships"][number][];
