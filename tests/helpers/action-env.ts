// The environment every server-action suite calls actions in (the matrix,
// the self/invitee actions, fuzzing, the settings actions): the real PDP,
// a fresh database with the shared fixtures, optionally a loopback stand-in
// for the vendors "Test connection" reaches, MFA enrolled where the roles
// require it, and session cookies made before any case is measured (a
// sign-in writes rows of its own). One place, so the suites cannot drift.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ensureCerbos } from "@/scripts/lib/cerbos";
import { enrolMfa, ownerQuery, sessionCookie } from "./actions";
import { CONSOLE, runAs, type Env } from "./action-specs";
import { emailOf, insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./fixtures";
import { createTestDatabase, type TestDatabase } from "./test-database";

export interface ActionEnv {
  db: TestDatabase;
  fx: Fixtures;
  env: Env;
  stop(): Promise<void>;
}

export interface ActionEnvOptions {
  /** Serve CONNECTOR_TEST_ENDPOINT on loopback (the credentials actions test connections). */
  vendorStub?: boolean;
  /** Users who turn on two-step verification first (MSSP roles must have it before any action). */
  mfa: readonly UserName[];
  /** Users signed in once up front ("all": every fixture user). */
  signedIn: readonly UserName[] | "all";
}

export async function startActionEnv(opts: ActionEnvOptions): Promise<ActionEnv> {
  const pdp = await ensureCerbos({ quiet: true });
  process.env.CERBOS_URL = pdp.url;
  let stub: http.Server | undefined;
  if (opts.vendorStub) {
    stub = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    await new Promise<void>((resolve) => stub!.listen(0, "127.0.0.1", resolve));
    process.env.CONNECTOR_TEST_ENDPOINT = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  }
  const db = await createTestDatabase();
  const fx = await insertFixtures(db.url);
  const person = (user: UserName) => ({ id: fx.users[user], email: emailOf(user), name: user });
  const env: Env = {
    url: db.url,
    fx,
    person,
    async freshTenant(parent, kind) {
      const slug = `t-${randomBytes(4).toString("hex")}`;
      const parentId = parent in fx.tenants ? fx.tenants[parent as TenantSlug] : parent;
      const [row] = await ownerQuery<{ id: string }>(db.url, "insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, $3, $4) returning id", [parentId, slug, `Tenant ${slug}`, kind]);
      return { id: row.id, name: `Tenant ${slug}`, slug };
    },
    asMsspAdmin: (id, fields) => runAs(env, id, { person: person("msspAdmin"), host: CONSOLE }, fields),
  };
  for (const user of opts.mfa) await enrolMfa(person(user));
  for (const user of opts.signedIn === "all" ? (Object.keys(fx.users) as UserName[]) : opts.signedIn) await sessionCookie(person(user));
  return {
    db,
    fx,
    env,
    async stop() {
      await db.drop();
      await pdp.stop();
      if (stub) await new Promise((resolve) => stub!.close(resolve));
    },
  };
}
