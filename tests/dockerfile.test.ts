// The container image (deploy/Dockerfile) ships the standalone build only,
// and the build context (.dockerignore) never holds secrets or local data.
// There is no Docker daemon where these tests run, so they read the two
// files the way Docker does (instructions per stage; ignore patterns
// matched against context paths) and check what each stage may contain.
// docs/deployment.md says what else was checked by hand (the standalone
// server started with `node server.js`).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** The Dockerfile as stages of instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!op) continue;
    if (op.toUpperCase() === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args.trim());
      stages.push({ from: m?.[1] ?? args, name: m?.[2], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args: args.trim() });
    }
  }
  return stages;
}

/** Docker's .dockerignore semantics, enough for this file: patterns, `!` exceptions, last match wins, a directory match covers what is inside. */
function ignored(patterns: string[], file: string): boolean {
  let result = false;
  for (const raw of patterns) {
    const negate = raw.startsWith("!");
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, "");
    const re = new RegExp(
      `^${pattern
        .split("/")
        .map((seg) => seg.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]"))
        .join("/")}(/.*)?$`,
    );
    if (re.test(file)) result = !negate;
  }
  return result;
}

const dockerfile = parseDockerfile(readFileSync(path.resolve("deploy/Dockerfile"), "utf8"));
const ignore = readFileSync(path.resolve(".dockerignore"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));

describe("deploy/Dockerfile", () => {
  const server = dockerfile.at(-1)!;

  test("every stage runs a supported Node LTS line, the one CI tests on (.ci/run)", () => {
    // Node 20 reached its end of life in April 2026; 22 and 24 get security fixes until 2027 and 2028.
    const bases = dockerfile.map((s) => s.from).filter((from) => !dockerfile.some((s) => s.name === from));
    assert.ok(bases.length >= 3, `base images: ${bases}`);
    const shipped = /^NODE_SHIPPED=(\d+)\./m.exec(readFileSync(path.resolve(".ci/run"), "utf8"))?.[1];
    assert.ok(shipped, ".ci/run names the Node it tests on");
    for (const from of bases) {
      const major = /^node:(\d+)-/.exec(from)?.[1];
      assert.ok(major, `${from} is an official Node image with a pinned major version`);
      assert.ok(Number(major) >= 22 && Number(major) % 2 === 0, `${from}: an even (LTS) line still supported`);
      assert.equal(major, shipped, `${from}: the image runs the Node CI tests on (${shipped})`);
    }
  });

  test("the last (default) stage is the server, from a clean base, copying only the standalone output and static files", () => {
    assert.equal(server.name, "server");
    assert.ok(!dockerfile.some((s) => s.name === server.from), "the server stage starts from the base image, not from a stage with the full tree");
    const copies = server.instructions.filter((i) => i.op === "COPY" || i.op === "ADD");
    assert.ok(copies.length > 0);
    for (const c of copies) {
      assert.equal(c.op, "COPY", "no ADD (it fetches URLs and unpacks archives)");
      assert.match(c.args, /--from=build/, `every file comes from the build stage: ${c.args}`);
      const source = c.args.split(/\s+/).filter((a) => !a.startsWith("--")).slice(0, -1);
      for (const s of source) assert.ok(["/app/.next/standalone", "/app/.next/static"].includes(s), `copies only the standalone output and static files, not ${s}`);
    }
    assert.ok(copies.some((c) => c.args.includes("/app/.next/standalone")));
    assert.ok(copies.some((c) => c.args.includes("/app/.next/static")), "the standalone output leaves the static files out; they must be copied");
    assert.ok(!server.instructions.some((i) => i.op === "RUN" && /npm (ci|install)/.test(i.args)), "no dependency install in the server stage");
  });

  test("the server runs node server.js as the unprivileged node user, in production mode", () => {
    const user = server.instructions.filter((i) => i.op === "USER").at(-1);
    assert.equal(user?.args, "node");
    assert.equal(server.instructions.filter((i) => i.op === "CMD").at(-1)?.args, '["node", "server.js"]');
    const env = server.instructions.filter((i) => i.op === "ENV").map((i) => i.args).join(" ");
    assert.match(env, /NODE_ENV=production/);
    assert.match(env, /HOSTNAME=0\.0\.0\.0/, "the standalone server listens on every interface of the pod");
  });

  test("the build turns on the standalone output, which next.config.ts gives only for that build", () => {
    const build = dockerfile.find((s) => s.name === "build")!;
    assert.ok(build.instructions.some((i) => i.op === "RUN" && /BUILD_STANDALONE=1 .*next build/.test(i.args)));
    const config = readFileSync(path.resolve("next.config.ts"), "utf8");
    assert.match(config, /BUILD_STANDALONE === "1" \? \{ output: "standalone"/);
  });

  test("the migrate Job has its own target, and its manifest uses that image", () => {
    const migrate = dockerfile.find((s) => s.name === "migrate");
    assert.ok(migrate, "a migrate stage");
    assert.equal(migrate.instructions.filter((i) => i.op === "USER").at(-1)?.args, "node");
    const job = readFileSync(path.resolve("deploy/k8s/migrate-job.yaml"), "utf8");
    assert.match(job, /image: \S+mssp-portal-migrate:/);
    const deployment = readFileSync(path.resolve("deploy/k8s/deployment.yaml"), "utf8");
    assert.match(deployment, /image: \S+\/mssp-portal:/);
  });

  test("the manifests ask for verified TLS to Postgres, and the pod's server listens on every interface", () => {
    const deployment = readFileSync(path.resolve("deploy/k8s/deployment.yaml"), "utf8");
    const job = readFileSync(path.resolve("deploy/k8s/migrate-job.yaml"), "utf8");
    for (const [name, text] of [["deployment.yaml", deployment], ["migrate-job.yaml", job]]) {
      assert.match(text, /\{ name: DATABASE_TLS, value: verify-full \}/, name);
      assert.match(text, /\{ name: DATABASE_TLS_CA_FILE, value: \/etc\/mssp-portal\/db-ca\/ca\.crt \}/, name);
      assert.match(text, /mountPath: \/etc\/mssp-portal\/db-ca/, name);
    }
    // A runtime-set HOSTNAME (the pod name) makes the standalone server treat the proxy's rewrites as external.
    assert.match(deployment, /\{ name: HOSTNAME, value: "0\.0\.0\.0" \}/);
  });
});

describe(".dockerignore", () => {
  test("secrets, local data, build output and the git history stay out of the build context", () => {
    for (const file of [
      ".env",
      ".env.production",
      ".data/postgres/PG_VERSION",
      ".data/archive-transfer.key",
      ".data/archives/acme.tar",
      ".git/config",
      "node_modules/pg/package.json",
      ".next/standalone/server.js",
      "test-results/x.png",
      "e2e/.auth/admin.json",
      "tsconfig.tsbuildinfo",
      "tests/db-tls.test.ts",
    ]) {
      assert.ok(ignored(ignore, file), `${file} must not be sent to the builder`);
    }
  });

  test("what the build and the migrate Job need is sent", () => {
    for (const file of ["package.json", "package-lock.json", "next.config.ts", "tsconfig.json", "tsconfig.next.json", "proxy.ts", "instrumentation.ts", "app/layout.tsx", "lib/db/pool.ts", "components/ui/page-header.tsx", "drizzle/schema.ts", "supabase/migrations/20261123000100_tenancy.sql", "scripts/db.ts", "postcss.config.mjs"]) {
      assert.ok(!ignored(ignore, file), `${file} is needed`);
    }
  });

  test("the matcher itself: last match wins and ! re-includes", () => {
    assert.equal(ignored(["*.md", "!README.md"], "README.md"), false);
    assert.equal(ignored(["*.md", "!README.md"], "CHANGES.md"), true);
    assert.equal(ignored([".data"], ".data/x/y"), true);
    assert.equal(ignored([".data"], "lib/.data"), false);
  });
});
