// The folder layout's import rules (DESIGN.md): components receive data and never import from app/
// (pages and routes are the app's edge; a component that reaches into them ties the two together).
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(p)));
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(p);
  }
  return out;
}

const IMPORT_FROM_APP = /from\s+["'](@\/app\/|(\.\.\/)+app\/)/;

test("nothing under components/ imports from app/", async () => {
  const files = await sourceFiles("components");
  assert.ok(files.length > 50, `components found: ${files.length}`);
  const offenders: string[] = [];
  for (const f of files) {
    const text = await readFile(f, "utf8");
    if (IMPORT_FROM_APP.test(text)) offenders.push(f);
  }
  assert.deepEqual(offenders, []);
});

test("control: the rule catches such an import", () => {
  assert.ok(IMPORT_FROM_APP.test(`import { x } from "@/app/account/mfa/actions";`));
  assert.ok(IMPORT_FROM_APP.test(`import { x } from "../../app/page";`));
  assert.ok(!IMPORT_FROM_APP.test(`import { x } from "@/lib/actions/account/mfa";`));
});
