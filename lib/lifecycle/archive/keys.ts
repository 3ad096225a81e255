// Bringing the tenants' data keys back (supabase/migrations/20261130000300).
//
// Each DEK arrives wrapped under the transfer key. It must reach Postgres
// without ever being a statement parameter in a form the statement log could
// use: Postgres generates a one-time key (keyring.begin_key_import, a query
// RESULT), we seal the DEK under it here (sealForImport), and
// keyring.import_tenant_key opens it in Postgres and wraps it under this
// deployment's KEK of the tenant's MSSP. The log sees only the sealed bytes.
import type pg from "pg";
import { sealForImport, unwrapSecret } from "./secrets";
import { ArchiveError } from "./errors";
import { dekAad } from "./export";

type Queryable = Pick<pg.ClientBase, "query">;

interface KeyRow {
  tenant_id: string;
  version: number;
  status: "active" | "retiring" | "retired" | "destroyed";
  created_at: string;
  retired_at: string | null;
}

export class KeyImporter {
  private importKey?: Buffer;
  private waiting?: KeyRow;
  imported = 0;

  constructor(
    private readonly client: Queryable,
    private readonly archiveDekKey: Buffer,
  ) {}

  private tenants = new Set<string>();

  /** Drops the key rows the tenants have here (a new tenant's first key, a replaced tenant's versions). */
  async begin(tenantIds: string[]) {
    this.tenants = new Set(tenantIds);
    for (const id of tenantIds) await this.client.query("select keyring.reset_tenant_keys($1::uuid)", [id]);
    const { rows } = await this.client.query<{ k: Buffer }>("select keyring.begin_key_import() as k");
    this.importKey = rows[0].k;
  }

  /** A keyring.tenant_keys row line; a version with material waits for its "dek" record. */
  async row(line: string) {
    this.expectNoWaiting();
    const row = JSON.parse(line) as KeyRow;
    // Only the archive's tenants' keys: another tenant's would be replaced by one the archive's holder knows.
    if (!this.tenants.has(row.tenant_id)) {
      throw new ArchiveError("tampered", `the archive holds a data key of a tenant it does not list (${row.tenant_id}): nothing was restored`);
    }
    if (row.status === "active" || row.status === "retiring") {
      this.waiting = row;
      return;
    }
    await this.write(row, null);
  }

  async dek(tenantId: string, version: number, wrapped: string) {
    const row = this.waiting;
    if (!row || row.tenant_id !== tenantId || row.version !== version) {
      throw new ArchiveError("corrupt", `the archive holds a data key (tenant ${tenantId} v${version}) that no key row announced`);
    }
    this.waiting = undefined;
    const dek = unwrapSecret(this.archiveDekKey, dekAad(tenantId, version), wrapped);
    if (dek.length !== 32) throw new ArchiveError("corrupt", `the data key of tenant ${tenantId} v${version} is malformed`);
    const sealed = sealForImport(this.importKey!, tenantId, version, dek);
    dek.fill(0);
    await this.write(row, sealed);
  }

  private async write(row: KeyRow, sealed: Buffer | null) {
    await this.client.query("select keyring.import_tenant_key($1::uuid, $2, $3, $4::timestamptz, $5::timestamptz, $6)", [
      row.tenant_id,
      row.version,
      row.status,
      row.created_at,
      row.retired_at,
      sealed,
    ]);
    this.imported++;
  }

  private expectNoWaiting() {
    if (this.waiting) {
      throw new ArchiveError("corrupt", `the archive lacks the data key of tenant ${this.waiting.tenant_id} v${this.waiting.version}`);
    }
  }

  end() {
    this.expectNoWaiting();
    this.importKey?.fill(0);
  }
}
