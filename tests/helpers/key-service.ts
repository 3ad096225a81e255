// The key service failing for real, as tests/raw-event-key-service.test.ts does it: the
// compat Vault's root key is swapped for random bytes, so Vault can no longer decrypt
// any MSSP's KEK and keyring.unwrap_dek fails (lib/vault/keys.ts raises
// TenantKeyUnavailableError("the key service failed", gone = false)), as when
// Supabase's root key or a KMS is unavailable. up() puts the same key back.
// DEKs cached in this process keep working until cleared: both clear the cache.
import { clearKeyCache } from "@/lib/vault/keys";
import { withClient } from "./test-database";

export interface KeyServiceSwitch {
  /** keepCache: DEKs this process already holds keep working (a rotation that fetched its target key before the failure). */
  down(opts?: { keepCache?: boolean }): Promise<void>;
  up(): Promise<void>;
}

/** `url`: the test database's owner URL (read when called, so it may come from a before hook). */
export function keyServiceSwitch(url: () => string): KeyServiceSwitch {
  let rootKey: Buffer | null = null;
  return {
    async down(opts = {}) {
      await withClient(url(), async (c) => {
        const { rows } = await c.query<{ key: Buffer }>("select key from vault._root_key");
        rootKey ??= rows[0].key;
        await c.query("update vault._root_key set key = extensions.gen_random_bytes(32)");
      });
      if (!opts.keepCache) clearKeyCache();
    },
    async up() {
      if (rootKey) {
        const key = rootKey;
        await withClient(url(), (c) => c.query("update vault._root_key set key = $1", [key]));
      }
      rootKey = null;
      clearKeyCache();
    },
  };
}
