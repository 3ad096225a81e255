// lib/cache: a per-process cache (TTL, size bound) whose entries are evicted
// in every app process by Postgres LISTEN/NOTIFY, sent in the writer's
// transaction. Proven with two real Node processes (tests/helpers/cache-child.ts)
// against the real Postgres: a write committed in one evicts the other's copy;
// a rolled-back write does not; a trigger's NOTIFY works as well; a listener
// whose connection is killed reconnects and drops what it cached before.
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { ALL_KEYS, evictLocal, notifyCacheEviction, parseEviction, sharedCache } from "@/lib/cache";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;

class Child {
  private readonly lines: string[] = [];
  private waiters: ((line: string) => void)[] = [];
  constructor(
    readonly name: string,
    readonly proc: ChildProcessWithoutNullStreams,
  ) {
    createInterface({ input: proc.stdout }).on("line", (line) => {
      const w = this.waiters.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
    proc.stderr.on("data", (d: Buffer) => process.stderr.write(`[${name}] ${d.toString()}`));
  }
  next(ms = 20_000): Promise<Record<string, unknown>> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(JSON.parse(line) as Record<string, unknown>);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.name}: no answer in ${ms} ms`)), ms);
      this.waiters.push((l) => {
        clearTimeout(t);
        resolve(JSON.parse(l) as Record<string, unknown>);
      });
    });
  }
  async send(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.proc.stdin.write(JSON.stringify(cmd) + "\n");
    const r = await this.next();
    if (r.error) throw new Error(`${this.name}: ${String(r.error)}`);
    return r;
  }
}

function startChild(name: string): Promise<Child> {
  const proc = spawn(process.execPath, ["--import", "tsx", "tests/helpers/cache-child.ts"], {
    env: { ...process.env, DATABASE_URL: db.url, CACHE_CHILD: name },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const child = new Child(name, proc);
  return child.next(60_000).then((r) => {
    assert.equal(r.ready, true);
    return child;
  });
}

async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

const settle = () => new Promise((r) => setTimeout(r, 500));

let a: Child;
let b: Child;
before(async () => {
  db = await createTestDatabase();
  await withClient(db.url, (c) => c.query("create table public.cache_probe (k text primary key, v text not null)"));
  [a, b] = await Promise.all([startChild("a"), startChild("b")]);
});
after(async () => {
  await Promise.all([a, b].filter(Boolean).map((c) => c.send({ op: "quit" }).catch(() => c.proc.kill())));
  await db.drop();
});

test("in one process: TTL expiry, the size bound drops the least recently used, concurrent misses share one load", async () => {
  const c = sharedCache<number>("unit-ttl", { ttlMs: 40, maxEntries: 2 });
  c.set("x", 1);
  assert.equal(c.get("x"), 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(c.get("x"), undefined, "expired after ttlMs");
  c.set("a", 1);
  c.set("b", 2);
  c.get("a"); // a is now the most recently used
  c.set("c", 3);
  assert.equal(c.size, 2);
  assert.equal(c.get("b"), undefined, "the least recently used went first");
  assert.equal(c.get("a"), 1);
  let loads = 0;
  const slow = () => new Promise<number>((r) => setTimeout(() => r(++loads), 20));
  const [p, q] = await Promise.all([c.getOrLoad("k", slow), c.getOrLoad("k", slow)]);
  assert.equal(loads, 1);
  assert.equal(p, q);
  assert.equal(sharedCache("unit-ttl", { ttlMs: 1, maxEntries: 1 }), c, "one cache per name in a process");
  // An eviction during a load keeps the (maybe stale) result out of the cache.
  const pending = c.getOrLoad("z", slow);
  evictLocal("unit-ttl", "z");
  await pending;
  assert.equal(c.get("z"), undefined);
  evictLocal("unit-ttl", ALL_KEYS);
  assert.equal(c.size, 0);
  assert.equal(parseEviction("not json"), null);
  assert.equal(parseEviction(JSON.stringify({ cache: 1, key: "k" })), null);
  assert.throws(() => sharedCache("Bad Name", { ttlMs: 1, maxEntries: 1 }));
});

test("a write committed in process b evicts process a's cached entry; a reloads the new value", async () => {
  await b.send({ op: "write", key: "acme.localhost", value: "v1" });
  // Let the write's own notification reach a first (on a loaded machine it can lag the next command).
  await settle();
  assert.deepEqual(await a.send({ op: "get", key: "acme.localhost" }), { value: "v1", loaded: true });
  assert.deepEqual(await a.send({ op: "get", key: "acme.localhost" }), { value: "v1", loaded: false }, "served from a's cache");
  await b.send({ op: "write", key: "acme.localhost", value: "v2" });
  assert.ok(
    await eventually(async () => {
      const r = await a.send({ op: "get", key: "acme.localhost" });
      return r.value === "v2" && r.loaded === true;
    }),
    "a reloaded after b's commit",
  );
});

test("control: a write without the notification leaves a's copy stale (the cache is really caching)", async () => {
  await settle();
  await a.send({ op: "get", key: "acme.localhost" });
  await b.send({ op: "write", key: "acme.localhost", value: "v3-silent", notify: false });
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await a.send({ op: "get", key: "acme.localhost" }), { value: "v2", loaded: false });
});

test("a rolled-back write sends nothing: a's entry stays", async () => {
  await b.send({ op: "write", key: "acme.localhost", value: "v4" }); // committed, evicts
  await eventually(async () => (await a.send({ op: "get", key: "acme.localhost" })).value === "v4");
  await b.send({ op: "write", key: "acme.localhost", value: "never", rollback: true });
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await a.send({ op: "get", key: "acme.localhost" }), { value: "v4", loaded: false });
});

test("a NOTIFY from a trigger (another writer, plain SQL) evicts in both processes", async () => {
  await withClient(db.url, async (c) => {
    await c.query(`create function public.cache_probe_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('mssp_portal_cache', json_build_object('cache', 'probe', 'key', new.k)::text);
        return new;
      end $$`);
    await c.query("create trigger cache_probe_notify after update on public.cache_probe for each row execute function public.cache_probe_notify()");
  });
  await a.send({ op: "get", key: "acme.localhost" });
  await b.send({ op: "get", key: "acme.localhost" });
  await withClient(db.url, (c) => c.query("update public.cache_probe set v = 'v5' where k = 'acme.localhost'"));
  for (const child of [a, b]) {
    assert.ok(await eventually(async () => (await child.send({ op: "get", key: "acme.localhost" })).value === "v5"), `${child.name} evicted`);
  }
});

test("notifyCacheEviction on this process's own transaction: queued with the change, sent at commit", async () => {
  await a.send({ op: "get", key: "other.localhost" });
  await withClient(db.url, async (c) => {
    await c.query("begin");
    await c.query("insert into public.cache_probe (k, v) values ('other.localhost', 'o1') on conflict (k) do update set v = excluded.v");
    await notifyCacheEviction(c, "probe", ["other.localhost", "other.localhost"]);
    await new Promise((r) => setTimeout(r, 200));
    const before = await a.send({ op: "get", key: "other.localhost" });
    assert.equal(before.loaded, false, "nothing delivered before commit");
    await c.query("commit");
  });
  assert.ok(await eventually(async () => (await a.send({ op: "get", key: "other.localhost" })).value === "o1"));
});

test("a listener whose connection is killed reconnects, and drops what it cached while it could miss notifications", async () => {
  await a.send({ op: "get", key: "acme.localhost" });
  const pidOf = () =>
    withClient(db.url, async (c) => (await c.query<{ pid: number }>("select pid from pg_stat_activity where application_name = 'cache-test:a'")).rows[0]?.pid);
  const old = await pidOf();
  assert.ok(old, "a's listener is connected");
  await withClient(db.url, (c) => c.query("select pg_terminate_backend($1)", [old]));
  // Changed while a's listener is down: the notification may never reach a.
  await withClient(db.url, (c) => c.query("alter table public.cache_probe disable trigger cache_probe_notify"));
  await withClient(db.url, (c) => c.query("update public.cache_probe set v = 'v6' where k = 'acme.localhost'"));
  assert.ok(await eventually(async () => {
    const p = await pidOf();
    return p !== undefined && p !== old && (await a.send({ op: "status" })).connected === true;
  }), "reconnected");
  assert.deepEqual(await a.send({ op: "get", key: "acme.localhost" }), { value: "v6", loaded: true });
});
