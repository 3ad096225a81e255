// Every server action guarded by tenantAction (lib/actions/**), called
// directly as each role, with a real session cookie and Host header, on a
// real Postgres and the real PDP (tests/helpers/actions.ts). Generated from
// tests/helpers/action-specs.ts, and the suite fails when an action exists
// that has no entry there. The cases run from one file per area
// (tests/actions-matrix-<area>.test.ts, harness tests/helpers/actions-matrix.ts);
// this file holds the coverage checks. For each action:
//   - signed out: refused, nothing changed, nothing audited (no one to name);
//   - each role on its own tenant: allowed by docs/authorization.md's matrix →
//     it succeeds (the positive control) with a success audit row; otherwise
//     refused with the permission message, nothing changed, one denied row;
//   - another customer's / another MSSP's tenant id, and another tenant's host:
//     refused, nothing changed, a denied row naming the requested tenant;
//   - own tenant but another customer's object (credential, member,
//     invitation, job, new parent): refused with a clear message, nothing
//     changed, a denied row;
//   - malformed forms: field messages, nothing changed, nothing audited.
// "Nothing changed" is a digest of every row of every table (audit aside).
import assert from "node:assert/strict";
import { test } from "node:test";
import { serverActionIds } from "./helpers/actions";
import { SPECS } from "./helpers/action-specs";
import { AREAS, tenantSpecAreas } from "./helpers/actions-matrix";

test("every server action has an entry in tests/helpers/action-specs.ts (and every entry an action)", async () => {
  const found = await serverActionIds();
  const missing = found.filter((id) => !(id in SPECS));
  const stale = Object.keys(SPECS).filter((id) => !found.includes(id));
  assert.deepEqual(missing, [], `server actions without a test entry: add them to tests/helpers/action-specs.ts`);
  assert.deepEqual(stale, [], `entries naming no server action`);
  assert.ok(found.length >= 20, `found only ${found.length} actions: the enumeration is broken`);
});

test("every tenant-guarded entry is run by exactly one area file, and every area has its file", async () => {
  const wrong = [...tenantSpecAreas()].filter(([, areas]) => areas.length !== 1).map(([id, areas]) => `${id}: ${areas.length ? areas.join(", ") : "no area"}`);
  assert.deepEqual(wrong, [], "add the action's folder to AREAS in tests/helpers/actions-matrix.ts");
  const { readdir, readFile } = await import("node:fs/promises");
  const files = (await readdir("tests")).filter((f) => /^actions-matrix-.+\.test\.ts$/.test(f));
  for (const area of Object.keys(AREAS)) {
    const file = `actions-matrix-${area}.test.ts`;
    assert.ok(files.includes(file), `tests/${file} is missing`);
    assert.match(await readFile(`tests/${file}`, "utf8"), new RegExp(`runActionMatrix\\("${area}"`), `tests/${file} runs its area`);
  }
});
