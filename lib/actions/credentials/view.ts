// A masked credential as the browser gets it (dates as ISO strings).
import { describeConfig } from "@/lib/credentials/connectors";
import type { MaskedCredential } from "@/lib/credentials/store";

export interface CredentialView {
  tenantId: string;
  id: string;
  connector: MaskedCredential["connector"];
  name: string;
  /** One line about the non-secret settings (host, region, client ID prefix). */
  summary: string;
  masked: string;
  expiresAt: string | null;
  createdAt: string;
  rotatedAt: string | null;
  lastUsedAt: string | null;
  status: MaskedCredential["status"];
  daysLeft: number | null;
}

export function toCredentialView(c: MaskedCredential): CredentialView {
  return {
    tenantId: c.tenantId,
    id: c.id,
    connector: c.connector,
    name: c.name,
    summary: describeConfig(c.connector, c.config),
    masked: c.masked,
    expiresAt: c.expiresAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    rotatedAt: c.rotatedAt?.toISOString() ?? null,
    lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
    status: c.status,
    daysLeft: c.daysLeft,
  };
}
