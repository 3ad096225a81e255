// A real DNS server for the custom-domain tests: Debian's dnsmasq on a free
// high port of 127.0.0.1, serving only the TXT/CNAME records a test gives it
// (generated config in a temp dir; --no-resolv, authoritative for the test's
// zones so an absent name is NXDOMAIN). records(...) restarts it with a new
// set, as a customer editing their zone would change what resolvers see.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { createSocket } from "node:dgram";
import { tmpdir } from "node:os";
import path from "node:path";

export const DNSMASQ = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"].find((p) => existsSync(p)) ?? null;

export interface DnsRecords {
  txt?: [name: string, value: string][];
  cname?: [name: string, target: string][];
}

async function freeUdpPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createSocket("udp4");
      s.once("error", () => resolve(false));
      s.bind(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    const tcp = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (ok && tcp) return port;
  }
}

export class LocalDns {
  private proc: ChildProcess | null = null;
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly zones: string[],
  ) {}

  /** host:port for DNS_RESOLVER / Resolver.setServers. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(zones: string[], records: DnsRecords = {}): Promise<LocalDns> {
    if (!DNSMASQ) throw new Error("dnsmasq is not installed (apt-get install dnsmasq; .ci/run installs it)");
    const dns = new LocalDns(await freeUdpPort(), await mkdtemp(path.join(tmpdir(), "mssp-dnsmasq-")), zones);
    await dns.records(records);
    return dns;
  }

  async records(records: DnsRecords): Promise<void> {
    await this.stopProcess();
    const lines = [
      "no-resolv",
      "no-hosts",
      "bind-interfaces",
      "listen-address=127.0.0.1",
      `port=${this.port}`,
      "cache-size=0",
      "user=" + (process.getuid?.() === 0 ? "root" : ""),
      ...this.zones.map((z) => `local=/${z}/`),
      ...(records.txt ?? []).map(([n, v]) => `txt-record=${n},${v}`),
      ...(records.cname ?? []).map(([n, t]) => `cname=${n},${t}`),
    ].filter((l) => l !== "user=");
    const conf = path.join(this.dir, "dnsmasq.conf");
    await writeFile(conf, lines.join("\n") + "\n");
    const check = spawnSync(DNSMASQ!, ["--test", `--conf-file=${conf}`], { encoding: "utf8" });
    if (check.status !== 0) throw new Error(`dnsmasq config refused: ${check.stderr}`);
    const proc = spawn(DNSMASQ!, ["--keep-in-foreground", `--conf-file=${conf}`, "--pid-file=", "--log-facility=-"], { stdio: ["ignore", "ignore", "pipe"] });
    this.proc = proc;
    let stderr = "";
    proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    // Ready once it answers.
    const { Resolver } = await import("node:dns/promises");
    const r = new Resolver({ timeout: 200, tries: 1 });
    r.setServers([this.address]);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`dnsmasq exited: ${stderr}`);
      try {
        await r.resolveTxt(`ready-probe.${this.zones[0]}`);
        return;
      } catch (e) {
        if ((e as { code?: string }).code === "ENOTFOUND" || (e as { code?: string }).code === "ENODATA") return;
        if (Date.now() > deadline) throw new Error(`dnsmasq did not answer: ${stderr}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  }

  private async stopProcess(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGTERM");
    });
  }

  async stop(): Promise<void> {
    await this.stopProcess();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * What the custom-domain tests share (tests/console-domains, tests/domains-verify): a PDP, a fresh
 * database with the fixtures, a local DNS server for the zone "test" that the domain checks resolve
 * through, and the CNAME target and grace period they are checked against. `stop()` undoes it.
 */
export async function startDomainsTestEnv(): Promise<{
  db: import("./test-database").TestDatabase;
  fx: import("./fixtures").Fixtures;
  dns: LocalDns;
  stop(): Promise<void>;
}> {
  const { ensureCerbos } = await import("@/scripts/lib/cerbos");
  const { createTestDatabase } = await import("./test-database");
  const { insertFixtures } = await import("./fixtures");
  process.env.CERBOS_URL = (await ensureCerbos({ quiet: true })).url;
  const db = await createTestDatabase();
  const fx = await insertFixtures(db.url);
  const dns = await LocalDns.start(["test"]);
  process.env.DNS_RESOLVER = dns.address;
  process.env.CUSTOM_DOMAIN_CNAME_TARGET = "portal.localhost";
  process.env.CUSTOM_DOMAIN_GRACE_HOURS = "72";
  return {
    db,
    fx,
    dns,
    async stop() {
      await dns.stop();
      await db.drop();
    },
  };
}
