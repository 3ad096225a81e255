// The console's archive tools (lib/lifecycle/web), on a real Postgres and the
// real PDP, called as each kind of user without HTTP:
//   - export: an MSSP admin gets a stream that is a whole archive (inspected
//     and restored back over the tenant with replace, every compared table
//     equal); the request is audited with the person, the export with
//     via "console"; a cancelled download leaves no `tenant.exported` row and
//     a `tenant.export-failed` one; a bad key is refused by the field;
//   - refusals, with nothing changed and a denied audit row: a tenant admin
//     (not MSSP staff), another MSSP's admin (the tenant is invisible), an
//     MSSP analyst (the PDP denies) — for export, restore and import;
//   - restore: a wrong key and a cut file are refused before anything;
//     without replace an existing tenant is refused; another MSSP's admin
//     cannot replace it even naming their own MSSP as parent;
//   - import: a dry run names the rejected rows and writes (and mails)
//     nothing; the import emails each invitation, from the person importing,
//     whose right is checked again when it is accepted;
//   - uploads: the envelope is streamed to files; a cut, an overlong, an
//     oversized or a mistyped upload is refused and leaves no temp files.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { AuthorizationError } from "@/lib/authz";
import { ArchiveError, exportTenant } from "@/lib/lifecycle/archive";
import { MAGIC } from "@/lib/lifecycle/archive/crypto";
import { ConsoleRefusal } from "@/lib/lifecycle/web/errors";
import { envelopeBody, ENVELOPE_CONTENT_TYPE, generateTransferKey, transferKeyProblem } from "@/lib/lifecycle/web/envelope";
import { exportAsWebStream } from "@/lib/lifecycle/web/export-stream";
import { errorResponse, sameOrigin, transferKeyField } from "@/lib/lifecycle/web/http";
import { importTargets, restoreParents } from "@/lib/lifecycle/web/access";
import {
  beginConsoleExport,
  importUpload,
  inspectUpload,
  restoreUpload,
  type ArchiveCaller,
} from "@/lib/lifecycle/web/console-archive";
import { receiveUpload } from "@/lib/lifecycle/web/upload";
import { inviterMayStillGrant } from "@/lib/team/accept";
import { emailOf, insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let dir: string;
const KEY = randomBytes(32);

const who = (user: UserName): ArchiveCaller => ({ userId: fx.users[user], email: emailOf(user) });

async function drain(stream: ReadableStream<Uint8Array>, file: string) {
  await pipeline(Readable.fromWeb(stream as import("node:stream/web").ReadableStream<Uint8Array>), createWriteStream(file));
}

const auditRows = (action: string) =>
  withClient(db.url, async (c) =>
    (
      await c.query<{ tenant_id: string; actor_id: string | null; outcome: string; details: Record<string, unknown> }>(
        "select tenant_id, actor_id, outcome, details from public.audit_log where action = $1 order by seq",
        [action],
      )
    ).rows,
  );

/** Every tenant-scoped row count of the fixture tree, to show a refusal changed nothing. */
const snapshot = () =>
  withClient(db.url, async (c) => {
    const q = async (sql: string) => (await c.query(sql)).rows;
    return {
      tenants: await q("select id, slug, status, parent_id from public.tenants order by id"),
      alerts: await q("select tenant_id, count(*)::int from public.alerts group by 1 order by 1"),
      assets: await q("select tenant_id, count(*)::int from public.assets group by 1 order by 1"),
      users: await q("select count(*)::int as n from public.users"),
      invitations: await q("select count(*)::int as n from public.invitations"),
      mail: await q("select count(*)::int as n from mail.outbox"),
    };
  });

async function refused(promise: Promise<unknown>, check: (e: unknown) => boolean, what: string) {
  await assert.rejects(promise, (e) => {
    assert.ok(check(e), `${what}: got ${(e as Error).name}: ${(e as Error).message}`);
    return true;
  });
}
const isStatus = (status: number) => (e: unknown) => e instanceof ConsoleRefusal && e.status === status;
const isDeny = (e: unknown) => e instanceof AuthorizationError;

before(async () => {
  process.env.NEXTAUTH_SECRET = "archive-web-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  dir = await mkdtemp(path.join(os.tmpdir(), "archive-web-test-"));
});

after(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

describe("export through the console bridge", () => {
  let archive: string;

  test("an MSSP admin's export streams a whole archive; request and export are audited", async () => {
    const exp = await beginConsoleExport(who("msspAdmin"), { slug: "acme", transferKey: KEY });
    assert.match(exp.filename, /^acme-\d{8}T\d{6}Z\.tenant-archive$/);
    assert.equal(exp.tenant.id, fx.tenants.acme);
    archive = path.join(dir, exp.filename);
    await drain(exp.stream, archive);
    const result = await exp.done;
    assert.deepEqual(result.tenants.map((t) => t.slug).sort(), ["acme", "acme-eu", "acme-us"]);
    const bytes = await readFile(archive);
    assert.equal(bytes.subarray(0, MAGIC.length + 1).toString(), `${MAGIC}\n`);

    const view = await inspectUpload(who("msspAdmin"), { file: archive, transferKey: KEY });
    assert.equal(view.root.slug, "acme");
    assert.equal(view.formatVersion, 1);
    assert.equal(view.tenants.length, 3);
    assert.equal(view.sections.find((s) => s.table === "public.alerts")?.rows, 6);
    assert.equal(view.totalRows, result.rows);

    const requested = await auditRows("tenant.export-requested");
    assert.equal(requested.length, 1);
    assert.equal(requested[0].actor_id, fx.users.msspAdmin, "the request names the person");
    assert.equal(requested[0].tenant_id, fx.tenants.acme);
    assert.equal(requested[0].details.via, "console");
    const exported = await auditRows("tenant.exported");
    assert.equal(exported.length, 1);
    assert.equal(exported[0].details.via, "console");
  });

  test("the bridge keeps backpressure: a reader that stops pulling holds the export, a cancel ends it with no exported row", async () => {
    // More than a few chunks of data, so the export cannot finish into the buffers alone.
    await withClient(db.url, (c) =>
      c.query(
        `insert into public.alerts (tenant_id, title, severity, source, description)
         select $1, 'bulk ' || g, 'low', 'edr', array_to_string(array(select md5(random()::text || g || i) from generate_series(1, 20) i), '')
           from generate_series(1, 3000) g`,
        [fx.tenants.globex],
      ),
    );
    const before = (await auditRows("tenant.exported")).length;
    const exp = await beginConsoleExport(who("msspAdmin"), { slug: "globex", transferKey: KEY });
    const reader = exp.stream.getReader();
    const first = await reader.read();
    assert.equal(first.done, false);
    assert.equal(Buffer.from(first.value!).subarray(0, MAGIC.length).toString(), MAGIC);
    // Nobody reads: the export must not run to completion on its own.
    const settled = await Promise.race([exp.done.then(() => "finished", () => "failed"), new Promise((r) => setTimeout(() => r("waiting"), 1500))]);
    assert.equal(settled, "waiting", "the export ran ahead of its reader");
    await reader.cancel();
    await assert.rejects(exp.done, { name: "ExportCancelled" });
    await new Promise((r) => setTimeout(r, 200)); // the failure row is written after done settles
    assert.equal((await auditRows("tenant.exported")).length, before, "no tenant.exported row for a cancelled download");
    const failed = await auditRows("tenant.export-failed");
    assert.equal(failed.at(-1)?.actor_id, fx.users.msspAdmin);
    assert.equal(failed.at(-1)?.outcome, "failure");
    assert.match(String(failed.at(-1)?.details.message), /cancelled/);
    await withClient(db.url, (c) => c.query("delete from public.alerts where tenant_id = $1 and title like 'bulk %'", [fx.tenants.globex]));
  });

  test("an export that fails before its first byte is an error, not a stream", async () => {
    await assert.rejects(exportAsWebStream({ slug: "no-such-tenant", transferKey: KEY }), (e) => e instanceof ArchiveError && e.code === "not-found");
  });

  test("the stream is byte-compatible with exportTenant writing to a file (round trip via restore)", async () => {
    const view = await restoreUpload(who("msspAdmin"), { file: archive, transferKey: KEY, replace: true });
    assert.deepEqual(view.replaced.sort(), ["acme", "acme-eu", "acme-us"]);
    assert.deepEqual(view.created, []);
    assert.equal(view.parent.slug, "mssp-a");
    assert.ok(view.verified.equal > 5, `only ${view.verified.equal} tables compared equal`);
    for (const n of view.verified.notCompared) assert.match(n.why, /audit chain|mapped|cancelled/, `${n.table}: ${n.why}`);
    const requested = await auditRows("tenant.restore-requested");
    assert.equal(requested.at(-1)?.actor_id, fx.users.msspAdmin);
    assert.equal(requested.at(-1)?.tenant_id, fx.tenants["mssp-a"]);
    const restored = await auditRows("tenant.restored");
    assert.ok(restored.some((r) => r.details.via === "console"));
    // A file exportTenant wrote directly restores the same way (the bridge adds nothing).
    const direct = path.join(dir, "direct.tenant-archive");
    await exportTenant({ slug: "acme", out: createWriteStream(direct), transferKey: KEY, via: "test" });
    const again = await restoreUpload(who("msspAdmin"), { file: direct, transferKey: KEY, replace: true });
    assert.equal(again.writtenRows, view.writtenRows);
  });

  test("refusals: a tenant admin, another MSSP's admin, an MSSP analyst; each recorded as denied", async () => {
    const before = await snapshot();
    const deniedBefore = (await auditRows("tenant.export-requested")).filter((r) => r.outcome === "denied").length;
    await refused(beginConsoleExport(who("acmeAdmin"), { slug: "acme", transferKey: KEY }), isStatus(403), "tenant admin");
    await refused(beginConsoleExport(who("msspBAdmin"), { slug: "acme", transferKey: KEY }), isStatus(404), "another MSSP's admin");
    await refused(beginConsoleExport(who("msspAnalyst"), { slug: "acme", transferKey: KEY }), isDeny, "MSSP analyst");
    const denied = (await auditRows("tenant.export-requested")).filter((r) => r.outcome === "denied");
    assert.equal(denied.length - deniedBefore, 3);
    assert.equal(denied.at(-1)?.actor_id, fx.users.msspAnalyst);
    assert.equal(denied.at(-1)?.tenant_id, fx.tenants.acme, "the analyst's deny is recorded on the tenant it was about");
    assert.deepEqual(await snapshot(), before);
  });

  test("a bad key is refused by the field with a clear message; a good one parses", () => {
    for (const bad of ["", "not base64!", Buffer.alloc(16).toString("base64"), "A".repeat(44)]) {
      const r = transferKeyField.safeParse(bad);
      assert.equal(r.success, false, `accepted ${JSON.stringify(bad)}`);
      assert.match(r.error!.issues[0].message, /transfer key/);
    }
    const key = generateTransferKey();
    assert.equal(transferKeyProblem(key), null);
    const r = transferKeyField.safeParse(` ${key}\n`);
    assert.ok(r.success);
    assert.equal(r.data.length, 32);
  });

  describe("restore refusals", () => {
    test("a wrong key and a cut file are refused before anything", async () => {
      const before = await snapshot();
      await refused(restoreUpload(who("msspAdmin"), { file: archive, transferKey: randomBytes(32), replace: true }), (e) => e instanceof ArchiveError && e.code === "wrong-key", "wrong key");
      const cut = path.join(dir, "cut.tenant-archive");
      const bytes = await readFile(archive);
      await writeFile(cut, bytes.subarray(0, bytes.length - 40));
      await refused(inspectUpload(who("msspAdmin"), { file: cut, transferKey: KEY }), (e) => e instanceof ArchiveError && e.code === "truncated", "cut file");
      await refused(restoreUpload(who("msspAdmin"), { file: cut, transferKey: KEY, replace: true }), (e) => e instanceof ArchiveError && e.code === "truncated", "cut file");
      assert.deepEqual(await snapshot(), before);
    });

    test("who may restore: not a tenant admin, not an analyst, not another MSSP's admin; replace is needed", async () => {
      const before = await snapshot();
      await refused(inspectUpload(who("acmeAdmin"), { file: archive, transferKey: KEY }), isStatus(403), "tenant admin inspects");
      await refused(restoreUpload(who("acmeAdmin"), { file: archive, transferKey: KEY, replace: true }), isStatus(403), "tenant admin");
      await refused(restoreUpload(who("msspAnalyst"), { file: archive, transferKey: KEY, replace: true }), isDeny, "MSSP analyst");
      await refused(restoreUpload(who("msspBAdmin"), { file: archive, transferKey: KEY, replace: true }), isStatus(403), "another MSSP's admin, parent as now");
      await refused(
        restoreUpload(who("msspBAdmin"), { file: archive, transferKey: KEY, parentSlug: "mssp-b", replace: true }),
        isDeny,
        "another MSSP's admin under their own MSSP: deprovision on acme",
      );
      await refused(restoreUpload(who("msspAdmin"), { file: archive, transferKey: KEY, replace: false }), isStatus(409), "without replace");
      await refused(restoreUpload(who("msspAdmin"), { file: archive, transferKey: KEY, parentSlug: "globex", replace: true }), (e) => e instanceof ArchiveError && e.code === "invalid", "a customer under a customer");
      assert.deepEqual(await snapshot(), before);
      const failed = await auditRows("tenant.restore-failed");
      assert.equal(failed.at(-1)?.details.reason, "invalid", "a refusal after the request was allowed is recorded");
    });

    test("the restore page offers the MSSPs the PDP allows; the import page the tenants", async () => {
      assert.deepEqual((await as(fx, "msspAdmin", restoreParents)).choices.map((c) => c.slug), ["mssp-a"]);
      assert.deepEqual((await as(fx, "msspAnalyst", restoreParents)).choices, []);
      assert.deepEqual((await as(fx, "msspBAdmin", restoreParents)).choices.map((c) => c.slug), ["mssp-b"]);
      assert.deepEqual((await as(fx, "msspAdmin", importTargets)).choices.map((c) => c.slug).sort(), ["acme", "acme-eu", "acme-us", "globex"]);
      await assert.rejects(as(fx, "acmeAdmin", restoreParents), isStatus(403));
    });
  });
});

describe("legacy import", () => {
  let legacy: string;
  before(async () => {
    legacy = await mkdtemp(path.join(os.tmpdir(), "archive-web-legacy-"));
    await writeFile(path.join(legacy, "users.csv"), "email,name,role\nnew.person@legacy.test,New Person,analyst\nnot-an-email,Bad,viewer\n");
    await writeFile(path.join(legacy, "assets.json"), JSON.stringify([{ hostname: "legacy-01" }]));
  });
  after(() => rm(legacy, { recursive: true, force: true }));

  test("a dry run as the MSSP admin: what would be created and the rejected row; nothing written", async () => {
    const before = await snapshot();
    const r = await importUpload(who("msspAdmin"), { slug: "globex", dir: legacy, dryRun: true });
    assert.equal(r.dryRun, true);
    assert.deepEqual(r.users.invited, ["new.person@legacy.test"]);
    assert.deepEqual(r.assets, { created: 1, existing: 0 });
    assert.deepEqual(r.rejected.map((x) => [x.file, x.line, x.field]), [["users.csv", 3, "email"]]);
    assert.deepEqual(await snapshot(), before);
    assert.equal((await auditRows("tenant.import-requested")).length, 0, "a dry run writes no audit row");
  });

  test("refusals: a tenant admin, another MSSP's admin, an MSSP analyst, an MSSP as target", async () => {
    const before = await snapshot();
    await refused(importUpload(who("acmeAdmin"), { slug: "acme", dir: legacy, dryRun: false }), isStatus(403), "tenant admin");
    await refused(importUpload(who("msspBAdmin"), { slug: "globex", dir: legacy, dryRun: false }), isStatus(404), "another MSSP's admin");
    await refused(importUpload(who("msspAnalyst"), { slug: "globex", dir: legacy, dryRun: false }), isDeny, "MSSP analyst");
    await refused(importUpload(who("msspAdmin"), { slug: "mssp-a", dir: legacy, dryRun: false }), isStatus(422), "an MSSP");
    // A site of a customer being offboarded: the workflow would purge what comes in.
    await withClient(db.url, (c) => c.query("update public.tenants set status = 'deprovisioning' where id = $1", [fx.tenants.acme]));
    try {
      await refused(importUpload(who("msspAdmin"), { slug: "acme-eu", dir: legacy, dryRun: false }), isStatus(409), "below an offboarding");
    } finally {
      await withClient(db.url, (c) => c.query("update public.tenants set status = 'active' where id = $1", [fx.tenants.acme]));
    }
    assert.deepEqual(await snapshot(), before);
  });

  test("the import, then again: audited with the person, nothing created twice", async () => {
    const first = await importUpload(who("msspAdmin"), { slug: "globex", dir: legacy, dryRun: false });
    assert.equal(first.assets.created, 1);
    assert.deepEqual(first.users.invited, ["new.person@legacy.test"]);
    assert.doesNotMatch(JSON.stringify(first), /token=|https?:\/\//, "the report carries no link");
    // Emailed with the import, from the person who imported (not the system): their right is checked again at acceptance.
    const [inv] = await withClient(db.url, async (c) =>
      (await c.query(
        `select i.tenant_id as "tenantId", i.role, i.invited_by as "invitedBy", i.issued_by_system as "issuedBySystem",
                (select count(*)::int from mail.outbox o where o.tenant_id = i.tenant_id and o.recipient = i.email and o.template = 'team.invitation') as mails
           from public.invitations i where i.email = 'new.person@legacy.test'`,
      )).rows,
    );
    assert.deepEqual([inv.tenantId, inv.role, inv.invitedBy, inv.issuedBySystem, inv.mails], [fx.tenants.globex, "tenant_analyst", fx.users.msspAdmin, false, 1]);
    assert.equal(await inviterMayStillGrant(inv), true);
    const again = await importUpload(who("msspAdmin"), { slug: "globex", dir: legacy, dryRun: false });
    assert.deepEqual(again.assets, { created: 0, existing: 1 });
    assert.deepEqual(again.users.invited, []);
    const requested = (await auditRows("tenant.import-requested")).filter((r) => r.outcome === "success");
    assert.equal(requested.length, 2);
    assert.equal(requested[0].actor_id, fx.users.msspAdmin);
    assert.ok((await auditRows("tenant.imported")).every((r) => r.details.via === "console"));
  });
});

describe("upload envelopes", () => {
  const fields = z.object({ transferKey: z.string(), replace: z.boolean().optional() });
  const spec = { fields, files: { archive: { required: true, storeAs: () => "archive" } }, tooLarge: "Too large." };

  async function request(body: Blob, opts: { length?: number; type?: string } = {}) {
    return new Request("http://localhost/customers/restore/inspect", {
      method: "POST",
      headers: { "content-type": opts.type ?? ENVELOPE_CONTENT_TYPE, "content-length": String(opts.length ?? body.size) },
      body: Buffer.from(await body.arrayBuffer()),
    });
  }
  const uploads = async () => (await readdir(os.tmpdir())).filter((n) => n.startsWith("mssp-portal-upload-"));

  test("fields parsed, the file streamed to a 0600 file in a fresh directory, removed by cleanup", async () => {
    const content = randomBytes(200_000);
    const body = envelopeBody({ transferKey: "k", replace: true }, [{ field: "archive", file: new File([content], "acme.tenant-archive") }]);
    const up = await receiveUpload(await request(body), spec);
    assert.deepEqual(up.fields, { transferKey: "k", replace: true });
    assert.equal(up.files[0].name, "acme.tenant-archive");
    assert.deepEqual(await readFile(up.files[0].path), content);
    assert.equal((await stat(up.files[0].path)).mode & 0o777, 0o600);
    assert.equal((await stat(up.dir)).mode & 0o777, 0o700);
    await up.cleanup();
    await assert.rejects(stat(up.dir), { code: "ENOENT" });
  });

  test("refused, with no file left behind: cut, overlong, oversized, another content type, bad fields, a missing file", async () => {
    const before = await uploads();
    const file = new File([randomBytes(5000)], "a.tenant-archive");
    const good = envelopeBody({ transferKey: "k" }, [{ field: "archive", file }]);
    const cut = new Blob([(await good.arrayBuffer()).slice(0, good.size - 100)]);
    await refused(receiveUpload(await request(cut, { length: cut.size }), spec), isStatus(400), "a length that does not match the files");
    await refused(receiveUpload(await request(cut, { length: good.size }), spec), isStatus(400), "a body cut short of its length");
    await refused(receiveUpload(await request(new Blob([good, "extra"]), { length: good.size }), spec), isStatus(400), "more than announced");
    await refused(receiveUpload(await request(good, { length: 11 * 1024 * 1024 }), spec), isStatus(413), "over the limit");
    await refused(receiveUpload(await request(good, { type: "multipart/form-data" }), spec), isStatus(415), "a form post");
    await refused(receiveUpload(await request(envelopeBody({ transferKey: 5 as unknown as string }, [{ field: "archive", file }])), spec), isStatus(400), "bad fields");
    await refused(receiveUpload(await request(envelopeBody({ transferKey: "k" }, [])), spec), isStatus(400), "no file");
    await refused(receiveUpload(await request(envelopeBody({ transferKey: "k" }, [{ field: "users", file }])), spec), isStatus(400), "a file the form does not take");
    await refused(receiveUpload(await request(new Blob(["not json\n", file])), spec), isStatus(400), "no envelope line");
    assert.deepEqual(await uploads(), before);
  });

  test("same origin and the error answers", async () => {
    const req = (origin: string | null) => new Request("http://localhost:3000/x", { method: "POST", headers: { host: "localhost:3000", ...(origin ? { origin } : {}) } });
    assert.equal(sameOrigin(req("http://localhost:3000")), true);
    assert.equal(sameOrigin(req("http://acme.localhost:3000")), false);
    assert.equal(sameOrigin(req(null)), false);
    const ctx = { event: "test", denied: "You may not.", nothing: "Nothing was changed." };
    const wrong = errorResponse(new ArchiveError("wrong-key", "wrong transfer key: this archive was sealed with another one"), ctx);
    assert.equal(wrong.status, 422);
    assert.equal((await wrong.json()).error, "Wrong transfer key: this archive was sealed with another one. Nothing was changed.");
    assert.equal(errorResponse(new AuthorizationError("tenants:export", fx.tenants.acme), ctx).status, 403);
    assert.equal(errorResponse(new ConsoleRefusal(409, "x"), ctx).status, 409);
    const boom = errorResponse(new Error(`secret ${KEY.toString("base64")}`), ctx);
    assert.equal(boom.status, 500);
    assert.doesNotMatch(JSON.stringify(await boom.json()), /secret/);
  });
});
