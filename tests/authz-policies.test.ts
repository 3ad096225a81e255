// Guard rails on policies/ that Cerbos itself does not enforce:
//   - only derived roles and resource policies (a principal or role policy
//     could grant on its own);
//   - every scoped policy uses parental consent (Cerbos's default,
//     SCOPE_PERMISSIONS_OVERRIDE_PARENT, lets a child scope allow what its
//     parent denies — authz-scopes.test.ts shows that it would);
//   - every action named in a policy is one of lib/authz/actions.ts (a typo in
//     a tightening DENY would silently tighten nothing), and the base policy
//     and docs/authorization.md cover exactly those actions;
//   - the policies compile and their test suites pass.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ACTIONS } from "@/lib/authz";
import { compilePolicies, POLICY_DIR } from "@/scripts/lib/cerbos";

const CONSENT = "SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS";

interface PolicyFile {
  name: string;
  text: string;
}

/** Policy files: everything Cerbos loads, i.e. not test suites or their fixtures. */
async function policyFiles(dir = POLICY_DIR, rel = ""): Promise<PolicyFile[]> {
  const out: PolicyFile[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const name = path.join(rel, e.name);
    if (e.isDirectory()) {
      if (e.name === "tests" || e.name === "testdata") continue;
      out.push(...(await policyFiles(path.join(dir, e.name), name)));
    } else if (/\.(ya?ml|json)$/.test(e.name) && !/_test\.(ya?ml|json)$/.test(e.name)) {
      out.push({ name, text: await readFile(path.join(dir, e.name), "utf8") });
    }
  }
  return out;
}

const kindOf = (text: string) => [...text.matchAll(/^(derivedRoles|resourcePolicy|principalPolicy|rolePolicy|exportVariables|exportConstants):/gm)].map((m) => m[1]);
const strip = (yaml: string) => yaml.replace(/#.*$/gm, "");
const scopeOf = (text: string) => /^\s+scope:\s*["']?([^"'\s]*)["']?\s*$/m.exec(strip(text))?.[1] ?? "";

function actionsOf(text: string): string[] {
  const body = strip(text);
  assert.ok(!/actions:\s*$/m.test(body), "write rule actions as flow lists: actions: [\"a:b\", ...]");
  return [...body.matchAll(/actions:\s*\[([^\]]*)\]/g)].flatMap((m) =>
    m[1].split(",").map((a) => a.trim().replace(/^["']|["']$/g, "")).filter(Boolean),
  );
}

test("only derived roles and resource policies", async () => {
  const files = await policyFiles();
  assert.ok(files.length >= 2);
  for (const f of files) {
    assert.deepEqual(kindOf(f.text).filter((k) => k !== "derivedRoles" && k !== "resourcePolicy"), [], f.name);
    assert.equal(kindOf(f.text).length, 1, `${f.name}: one policy per file`);
  }
});

test("exactly one unscoped (base) policy for kind tenant; every scoped one requires parental consent", async () => {
  const resourcePolicies = (await policyFiles()).filter((f) => kindOf(f.text)[0] === "resourcePolicy");
  const base = resourcePolicies.filter((f) => scopeOf(f.text) === "");
  assert.deepEqual(base.map((f) => f.name), ["tenant.yaml"]);
  assert.ok(!/scopePermissions:/.test(strip(base[0].text)), "the base policy has nothing above it");
  for (const f of resourcePolicies) {
    assert.match(strip(f.text), /^\s+resource:\s*"?tenant"?\s*$/m, `${f.name}: kind tenant`);
    const scope = scopeOf(f.text);
    if (scope === "") continue;
    assert.match(strip(f.text), new RegExp(`^\\s+scopePermissions:\\s*${CONSENT}\\s*$`, "m"), `${f.name} must use ${CONSENT}`);
    assert.equal(f.name, `tenant.${scope}.yaml`, "a scoped policy's file is named after its scope");
  }
});

test("the base policy and the docs cover exactly the actions of lib/authz/actions.ts; no policy names another", async () => {
  const files = await policyFiles();
  const base = files.find((f) => f.name === "tenant.yaml")!;
  assert.deepEqual([...new Set(actionsOf(base.text))].sort(), [...ACTIONS].sort());
  for (const f of files) {
    for (const a of actionsOf(f.text)) assert.ok((ACTIONS as readonly string[]).includes(a), `${f.name}: unknown action ${a}`);
  }
  const docs = await readFile(path.join(process.cwd(), "docs", "authorization.md"), "utf8");
  const docActions = [...docs.matchAll(/^\| `([a-z]+:[a-z]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual([...docActions].sort(), [...ACTIONS].sort());
});

test("the policy test suites name every action", async () => {
  const matrix = await readFile(path.join(POLICY_DIR, "tests", "matrix_test.yaml"), "utf8");
  for (const a of ACTIONS) assert.ok(matrix.includes(`${a}: EFFECT_`), `matrix_test.yaml checks ${a}`);
});

test("cerbos compile: the policies are valid and every policy test passes", () => {
  const { code, output } = compilePolicies(POLICY_DIR, { quiet: true });
  assert.equal(code, 0, output);
  assert.match(output, /tests executed/);
  assert.doesNotMatch(output, /FAILED/);
});
