// 20261201032650_sessions_bound_to_host: the sessions live when it runs (they have no host) are signed
// out (reason host_binding), ended ones are left as they were; its rollback restores
// sessions.check_session exactly as 20261201000200 defined it (definition and grants) and drops the
// host column; the migration applies again after (with 20261201033100, which redefines
// check_session). Run on its own database, file by file.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";
import { migrationFile } from "./helpers/migration-files";

const NAME = "20261201032650_sessions_bound_to_host";
const LATER = "20261201033100_custom_domain_sessions_follow_host_rule";
let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ setEnv: false });
});
after(() => db.drop());

const sqlOf = migrationFile;
const query = <R extends Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query<R>(sql, params)).rows);

/** check_session as the catalog holds it: each overload's definition and who may execute it; and the columns of the table. */
const shape = async () => ({
  functions: await query<{ sig: string; def: string; acl: string }>(
    `select p.oid::regprocedure::text as sig, pg_get_functiondef(p.oid) as def, coalesce(p.proacl::text, '') as acl
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'sessions' and p.proname = 'check_session' order by 1`,
  ),
  columns: (await query<{ c: string }>(`select attname as c from pg_attribute where attrelid = 'sessions.user_sessions'::regclass and attnum > 0 and not attisdropped order by attnum`)).map((r) => r.c),
});

test(`${NAME}: live sessions are signed out; down restores check_session byte for byte; up applies again`, async () => {
  const bound = await shape();
  assert.ok(bound.columns.includes("host"));
  await withClient(db.url, async (c) => c.query(await sqlOf("rollbacks", NAME)));
  const unbound = await shape();
  assert.ok(!unbound.columns.includes("host"));
  assert.deepEqual(unbound.functions.map((f) => f.sig), ["sessions.check_session(uuid,uuid,integer)"]);
  // Byte for byte what 20261201000200 created: its text, from the file itself, in the catalog's definition.
  const original = await sqlOf("migrations", "20261201000200_sessions");
  const body = /create function sessions\.check_session[\s\S]*?\n\$\$;\n/.exec(original)![0];
  const dollar = /as \$\$([\s\S]*?)\$\$;/.exec(body)![1];
  assert.ok(unbound.functions[0].def.includes(dollar), "the original body");
  assert.match(unbound.functions[0].def, /SET search_path TO ''/);

  // Sessions as they are before the migration: one live, one ended, one expired.
  const [{ id: user }] = await query<{ id: string }>("insert into public.users (email, name) values ('bound@test.example', 'B') returning id");
  const [live, ended, expired] = [randomUUID(), randomUUID(), randomUUID()];
  await query(
    `insert into sessions.user_sessions (id, user_id, created_at, last_seen_at, expires_at, revoked_at, revoked_reason) values
       ($1, $4, now(), now(), now() + interval '1 hour', null, null),
       ($2, $4, now(), now(), now() + interval '1 hour', now(), 'sign_out'),
       ($3, $4, now() - interval '2 hours', now() - interval '2 hours', now() - interval '1 hour', null, null)`,
    [live, ended, expired, user],
  );
  await withClient(db.url, async (c) => c.query(await sqlOf("migrations", NAME)));
  // 20261201033100 redefines check_session later on; applied again too, the catalog is as before.
  await withClient(db.url, async (c) => c.query(await sqlOf("migrations", LATER)));
  const rows = await query<{ id: string; revoked_reason: string | null }>("select id, revoked_reason from sessions.user_sessions where user_id = $1", [user]);
  const reason = Object.fromEntries(rows.map((r) => [r.id, r.revoked_reason]));
  assert.deepEqual([reason[live], reason[ended], reason[expired]], ["host_binding", "sign_out", null]);
  const [{ state }] = await query<{ state: string }>("select state from sessions.check_session($1, $2, 0, 'localhost')", [live, user]);
  assert.equal(state, "revoked");
  assert.deepEqual(await shape(), bound, "the migration applied again gives the same catalog");
});

test(`${LATER}: down restores 20261201032650's check_session byte for byte; up applies again`, async () => {
  const now = await shape();
  await withClient(db.url, async (c) => c.query(await sqlOf("rollbacks", LATER)));
  const down = await shape();
  assert.deepEqual(down.functions.map((f) => [f.sig, f.acl]), now.functions.map((f) => [f.sig, f.acl]), "same signature and grants");
  const earlier = await sqlOf("migrations", NAME);
  const dollar = /create function sessions\.check_session[\s\S]*?as \$\$([\s\S]*?)\$\$;/.exec(earlier)![1];
  assert.ok(down.functions[0].def.includes(dollar), "20261201032650's body");
  assert.ok(!down.functions[0].def.includes("host_rule"));
  await withClient(db.url, async (c) => c.query(await sqlOf("migrations", LATER)));
  assert.deepEqual(await shape(), now);
});
