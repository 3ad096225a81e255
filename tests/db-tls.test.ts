// The link to Postgres carries every tenant's rows and unwrapped tenant data
// keys, so it can be made to refuse anything but verified TLS
// (lib/db/connection.ts, DATABASE_TLS). These tests run a real Postgres with
// ssl=on and a CA made here with openssl, and try to connect the ways an
// attacker or a misconfiguration would: a server that does not do TLS, a
// certificate from another CA, a certificate for another host name. Each
// refusal has a control that the same connection works when it should, so a
// refusal is the TLS check's doing.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { parseSettings } from "@/lib/config";
import { checkDatabaseTls, DatabaseTlsError, pgConnectionConfig } from "@/lib/db/connection";
import { migrate } from "@/lib/db/migrate";
import { closePool, getPool } from "@/lib/db/pool";
import { createEnginePool } from "@/lib/jobs/engine";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "@/scripts/lib/embedded-postgres";

const certs = mkdtempSync(path.join(tmpdir(), "mssp-db-tls-"));
const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: certs, stdio: ["ignore", "ignore", "pipe"] });

/** A CA (key + self-signed certificate) in `certs`/<name>.{key,crt}. */
function makeCa(name: string) {
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.crt`,
    "-days", "2", "-subj", `/CN=${name}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
}

/** A server certificate for `names` (subjectAltName entries), signed by the CA `ca`. */
function makeServerCert(ca: string, out: string, altNames: string) {
  writeFileSync(path.join(certs, `${out}.ext`), `subjectAltName=${altNames}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${out}.key`, "-out", `${out}.csr`, "-subj", "/CN=mssp-test-db");
  openssl("x509", "-req", "-in", `${out}.csr`, "-CA", `${ca}.crt`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${out}.crt`, "-days", "2", "-extfile", `${out}.ext`);
}

let server: EmbeddedDatabase;
let dataDir: string;
/** Superuser URL on `localhost` (the name the certificate carries) and on 127.0.0.1 (a name it does not). */
let byName: string;
let byIp: string;
const caFile = path.join(certs, "ca.crt");
const otherCaFile = path.join(certs, "other-ca.crt");

const tlsSettings = (extra: Record<string, string>, url = byName) => parseSettings({ DATABASE_URL: url, ...extra });

/** Whether the connection `config` opens is encrypted (pg_stat_ssl), or the error it fails with. */
async function connectWith(config: pg.ClientConfig): Promise<boolean> {
  const c = new pg.Client({ ...config, connectionTimeoutMillis: 10_000 });
  c.on("error", () => {});
  await c.connect();
  try {
    const { rows } = await c.query<{ ssl: boolean }>("select ssl from pg_stat_ssl where pid = pg_backend_pid()");
    return rows[0].ssl;
  } finally {
    await c.end();
  }
}

/** Runs fn with these variables in process.env (what the app's modules read), restoring them after. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  try {
    return await fn();
  } finally {
    await closePool();
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  }
}

before(async () => {
  makeCa("ca");
  makeCa("other-ca");
  makeServerCert("ca", "server", "DNS:localhost");
  const port = await freePort();
  dataDir = path.join(process.cwd(), ".data", `test-tls-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  server = await startEmbeddedPostgres({ dataDir, port, persistent: false, quiet: true });
  byIp = server.url;
  byName = server.url.replace("127.0.0.1", "localhost");
});
after(async () => {
  await closePool();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(certs, { recursive: true, force: true });
});

describe("a Postgres that does not offer TLS", () => {
  test("DATABASE_TLS=require refuses it: the start check, the app pool and a direct client", async () => {
    // Control: plaintext works when nothing asks for TLS.
    assert.equal(await connectWith(pgConnectionConfig(byName, tlsSettings({}))), false);

    const s = tlsSettings({ DATABASE_TLS: "require" });
    await assert.rejects(checkDatabaseTls(pg, byName, s), (e: unknown) => e instanceof DatabaseTlsError && /does not offer TLS, and DATABASE_TLS=require refuses to connect in plaintext/.test(e.message));
    await withEnv({ DATABASE_URL: byName, DATABASE_TLS: "require" }, async () => {
      await assert.rejects(getPool().query("select 1"), (e: unknown) => e instanceof DatabaseTlsError && /does not offer TLS/.test(e.message));
    });
    await withEnv({ DATABASE_URL: byName, DATABASE_TLS: "verify-full", DATABASE_TLS_CA_FILE: caFile }, async () => {
      await assert.rejects(getPool().query("select 1"), DatabaseTlsError);
    });
  });

  test("the server refuses to start (instrumentation.ts register()), naming the problem", () => {
    const code = `const { register } = await import(${JSON.stringify(path.resolve("instrumentation.ts"))}); await register(); console.log("started");`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NEXT_RUNTIME: "nodejs", JOBS_WORKER: "0", LOG_LEVEL: "silent", DATABASE_URL: byName, DATABASE_TLS: "require" } as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.ok(!r.stdout.includes("started"));
    assert.match(r.stderr, /The portal cannot start\. Postgres at localhost:\d+ does not offer TLS/);
    assert.ok(!r.stderr.includes("postgres:postgres@"), "no password in the message");
  });
});

describe("a Postgres with TLS on and a certificate from a CA made here", () => {
  before(async () => {
    // Postgres reads server.crt/server.key from its data directory by default;
    // the key must belong to the server's user (the data directory's owner:
    // embedded-postgres runs it as `postgres` when we are root) and be 0600.
    const { uid, gid } = statSync(dataDir);
    for (const f of ["server.crt", "server.key"]) {
      const dest = path.join(dataDir, f);
      writeFileSync(dest, readFileSync(path.join(certs, f)), { mode: 0o600 });
      chownSync(dest, uid, gid);
    }
    // From now on the server refuses plaintext from anyone but this
    // loopback superuser check below: every connection the app makes has to
    // be TLS to succeed at all.
    const hba = path.join(dataDir, "pg_hba.conf");
    writeFileSync(hba, `hostnossl all all 0.0.0.0/0 reject\nhostnossl all all ::/0 reject\n${readFileSync(hba, "utf8")}`);
    const admin = new pg.Client({ connectionString: byIp });
    await admin.connect();
    try {
      await admin.query("alter system set ssl = on");
      await admin.query("select pg_reload_conf()");
    } finally {
      await admin.end();
    }
    // The reload is asynchronous; wait until a TLS connection is accepted.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if (await connectWith({ connectionString: byIp, ssl: { rejectUnauthorized: false } })) break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  test("plaintext is now refused by the server: the setup really requires TLS", async () => {
    await assert.rejects(connectWith({ connectionString: byName }), /no pg_hba.conf entry|rejects connection/);
  });

  test("verify-full with the CA and the certificate's host name connects, encrypted", async () => {
    const s = tlsSettings({ DATABASE_TLS: "verify-full", DATABASE_TLS_CA_FILE: caFile });
    assert.equal(await connectWith(pgConnectionConfig(byName, s)), true);
    assert.equal(await checkDatabaseTls(pg, byName, s), "encrypted");
  });

  test("sslmode=verify-full&sslrootcert=… in DATABASE_URL alone works too (libpq's spelling)", async () => {
    const url = `${byName}?sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`;
    assert.equal(await connectWith(pgConnectionConfig(url, tlsSettings({}, url))), true);
    // and DATABASE_TLS=verify-full takes the CA from the URL when DATABASE_TLS_CA_FILE is unset
    assert.equal(await connectWith(pgConnectionConfig(url, tlsSettings({ DATABASE_TLS: "verify-full" }, url))), true);
  });

  test("verify-full refuses a certificate from another CA", async () => {
    const s = tlsSettings({ DATABASE_TLS: "verify-full", DATABASE_TLS_CA_FILE: otherCaFile });
    await assert.rejects(checkDatabaseTls(pg, byName, s), (e: unknown) => e instanceof DatabaseTlsError && /does not chain to DATABASE_TLS_CA_FILE/.test(e.message));
    // and with no CA file, the system CAs do not know ours either
    await assert.rejects(checkDatabaseTls(pg, byName, tlsSettings({ DATABASE_TLS: "verify-full" })), /does not chain to a trusted CA/);
  });

  test("verify-full refuses a certificate for another host name", async () => {
    const s = tlsSettings({ DATABASE_TLS: "verify-full", DATABASE_TLS_CA_FILE: caFile }, byIp);
    await assert.rejects(checkDatabaseTls(pg, byIp, s), (e: unknown) => e instanceof DatabaseTlsError && /certificate for another host name/.test(e.message));
  });

  test("a stray sslmode=disable in the URL cannot turn TLS off behind DATABASE_TLS's back", async () => {
    assert.throws(() => tlsSettings({ DATABASE_TLS: "verify-full" }, `${byName}?sslmode=disable`), /sslmode=disable, which allows plaintext/);
    // and the URL's other TLS parameters are taken out before pg sees them (it lets the URL win)
    const { connectionString } = pgConnectionConfig(`${byName}?sslmode=require&application_name=x`, tlsSettings({ DATABASE_TLS: "verify-full", DATABASE_TLS_CA_FILE: caFile }));
    assert.equal(new URL(connectionString).searchParams.get("sslmode"), null);
    assert.equal(new URL(connectionString).searchParams.get("application_name"), "x");
  });

  test("require encrypts without checking the certificate (documented: no defence against an active man in the middle)", async () => {
    assert.equal(await connectWith(pgConnectionConfig(byName, tlsSettings({ DATABASE_TLS: "require" }))), true);
  });

  test("every connection the app opens goes over TLS: migrations, the app pool, the job engine's pool", async () => {
    await withEnv({ DATABASE_URL: byName, DATABASE_TLS: "verify-full", DATABASE_TLS_CA_FILE: caFile }, async () => {
      // The server rejects plaintext (hba above), so each of these working means TLS.
      await migrate(byName);
      const { rows } = await getPool().query<{ ssl: boolean }>("select ssl from pg_stat_ssl where pid = pg_backend_pid()");
      assert.equal(rows[0].ssl, true);
      const engine = createEnginePool();
      try {
        const r = await engine.query<{ role: string }>("select current_user as role");
        assert.deepEqual(r.rows[0], { role: "service_role" });
        // Seen from the server (the app pool's login is the superuser here).
        const seen = await getPool().query<{ ssl: boolean }>(
          "select s.ssl from pg_stat_ssl s join pg_stat_activity a using (pid) where a.application_name = 'service:jobs.engine'",
        );
        assert.ok(seen.rows.length >= 1 && seen.rows.every((x) => x.ssl === true), JSON.stringify(seen.rows));
      } finally {
        await engine.end();
      }
    });
    // Control: the same calls without DATABASE_TLS are refused by the server (plaintext).
    await withEnv({ DATABASE_URL: byName, DATABASE_TLS: undefined, DATABASE_TLS_CA_FILE: undefined }, async () => {
      await assert.rejects(getPool().query("select 1"), /no pg_hba.conf entry|rejects connection/);
    });
  });
});
