// Notification channels of a tenant, in the caller's withTenant transaction:
// RLS decides which rows exist and who may write them (admins of the tenant
// or an ancestor). A webhook's signing secret is generated here, sealed
// (secret.ts) and returned once, to be shown once; nothing reads it back but
// the delivery path.
import { randomUUID } from "node:crypto";
import type { TenantTx } from "@/lib/db/with-tenant";
import { sqlState } from "@/lib/db/sql-state";
import { publicHttpsUrlProblem } from "@/lib/credentials/url-safety";
import { ActionRefusal } from "@/lib/actions/refusal";
import { newSigningSecret, sealForWrite } from "./secret";

export const CHANNEL_KINDS = ["webhook", "email"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface Channel {
  tenantId: string;
  id: string;
  name: string;
  kind: ChannelKind;
  url: string | null;
  recipients: string[];
  /** "••••abcd" for a webhook's secret; null for email. */
  maskedSecret: string | null;
  enabled: boolean;
  createdAt: Date;
}

interface ChannelRow {
  tenant_id: string;
  id: string;
  name: string;
  kind: ChannelKind;
  url: string | null;
  recipients: string[];
  secret_hint: string | null;
  enabled: boolean;
  created_at: Date;
}

const COLUMNS = "tenant_id, id, name, kind, url, recipients, secret_hint, enabled, created_at";

function toChannel(r: ChannelRow): Channel {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    name: r.name,
    kind: r.kind,
    url: r.url,
    recipients: r.recipients ?? [],
    maskedSecret: r.kind === "webhook" ? `••••${r.secret_hint ?? ""}` : null,
    enabled: r.enabled,
    createdAt: new Date(r.created_at),
  };
}

export const CHANNEL_NOT_FOUND = "That channel is not here: it may have been removed, or it belongs to another tenant. Nothing was changed.";

/** The refusal for a webhook URL, or null when it may be used. Same rules as a connector's URL (url-safety.ts). */
export function webhookUrlProblem(url: string): string | null {
  const problem = publicHttpsUrlProblem(url, { allowPath: true });
  return problem ? `The webhook URL cannot be used: ${problem}.` : null;
}

/** The most channels one tenant may hold. The database's trigger (migration 20261201029900) holds the same number. */
export const CHANNELS_PER_TENANT = 50;

const CHANNEL_LIMIT = `This tenant already has ${CHANNELS_PER_TENANT} notification channels, the most it may have. Remove one it no longer needs first; nothing was changed.`;

function refusalOf(error: unknown, name: string): never {
  if (sqlState(error) === "54000" && (error as { hint?: string }).hint === "channel_limit") throw new ActionRefusal(CHANNEL_LIMIT, { problem: "channel_limit" });
  if (sqlState(error) === "23505") throw new ActionRefusal(`There is already a channel named "${name}" here. Pick another name; nothing was changed.`);
  if (sqlState(error) === "42501") throw new ActionRefusal("You cannot change channels of this tenant. Nothing was changed.");
  throw error;
}

export async function listChannels(tx: TenantTx, tenantId: string): Promise<Channel[]> {
  const { rows } = await tx.client.query<ChannelRow>(`select ${COLUMNS} from public.notification_channels where tenant_id = $1 order by name`, [tenantId]);
  return rows.map(toChannel);
}

export async function getChannel(tx: TenantTx, tenantId: string, channelId: string): Promise<Channel | null> {
  const { rows } = await tx.client.query<ChannelRow>(`select ${COLUMNS} from public.notification_channels where tenant_id = $1 and id = $2`, [tenantId, channelId]);
  return rows[0] ? toChannel(rows[0]) : null;
}

export type NewChannel =
  | { tenantId: string; name: string; kind: "webhook"; url: string }
  | { tenantId: string; name: string; kind: "email"; recipients: string[] };

/** Creates a channel. A webhook's new signing secret is in the answer, once. */
export async function createChannel(tx: TenantTx, input: NewChannel): Promise<{ channel: Channel; secret: string | null }> {
  const id = randomUUID();
  const name = input.name.trim();
  // Said before a secret is made; the trigger is what holds the limit (two adds racing take turns there).
  const { rows: count } = await tx.client.query<{ n: number }>(`select count(*)::int as n from public.notification_channels where tenant_id = $1`, [input.tenantId]);
  if ((count[0]?.n ?? 0) >= CHANNELS_PER_TENANT) throw new ActionRefusal(CHANNEL_LIMIT, { problem: "channel_limit" });
  try {
    if (input.kind === "webhook") {
      const problem = webhookUrlProblem(input.url);
      if (problem) throw new ActionRefusal(problem, { field: "url" });
      const secret = newSigningSecret();
      const { sealed, keyVersion } = await sealForWrite(input.tenantId, id, secret);
      const { rows } = await tx.client.query<ChannelRow>(
        `insert into public.notification_channels (tenant_id, id, name, kind, url, secret_sealed, key_version, secret_hint, created_by)
         values ($1, $2, $3, 'webhook', $4, $5, $6, $7, $8) returning ${COLUMNS}`,
        [input.tenantId, id, name, input.url, sealed, keyVersion, secret.slice(-4), tx.claims.sub],
      );
      return { channel: toChannel(rows[0]), secret };
    }
    const { rows } = await tx.client.query<ChannelRow>(
      `insert into public.notification_channels (tenant_id, id, name, kind, recipients, created_by)
       values ($1, $2, $3, 'email', $4, $5) returning ${COLUMNS}`,
      [input.tenantId, id, name, input.recipients, tx.claims.sub],
    );
    return { channel: toChannel(rows[0]), secret: null };
  } catch (error) {
    if (error instanceof ActionRefusal) throw error;
    refusalOf(error, name);
  }
}

/** A new signing secret for a webhook (the old one stops working at once). */
export async function replaceChannelSecret(tx: TenantTx, tenantId: string, channelId: string): Promise<{ channel: Channel; secret: string }> {
  const channel = await getChannel(tx, tenantId, channelId);
  if (!channel) throw new ActionRefusal(CHANNEL_NOT_FOUND);
  if (channel.kind !== "webhook") throw new ActionRefusal("Only a webhook has a signing secret. Nothing was changed.");
  const secret = newSigningSecret();
  const { sealed, keyVersion } = await sealForWrite(tenantId, channelId, secret);
  const { rows } = await tx.client.query<ChannelRow>(
    `update public.notification_channels set secret_sealed = $3, key_version = $4, secret_hint = $5
      where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
    [tenantId, channelId, sealed, keyVersion, secret.slice(-4)],
  );
  if (!rows[0]) throw new ActionRefusal(CHANNEL_NOT_FOUND);
  return { channel: toChannel(rows[0]), secret };
}

export async function setChannelEnabled(tx: TenantTx, tenantId: string, channelId: string, enabled: boolean): Promise<Channel> {
  const { rows } = await tx.client.query<ChannelRow>(
    `update public.notification_channels set enabled = $3 where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
    [tenantId, channelId, enabled],
  );
  if (!rows[0]) throw new ActionRefusal(CHANNEL_NOT_FOUND);
  return toChannel(rows[0]);
}

/**
 * Removes a channel (its deliveries go with it). Refused while a rule names it (its actions' or its
 * escalation's notify list, lib/rules/language.ts): the rule would notify nobody.
 */
export async function deleteChannel(tx: TenantTx, tenantId: string, channelId: string): Promise<Channel> {
  const channel = await getChannel(tx, tenantId, channelId);
  if (!channel) throw new ActionRefusal(CHANNEL_NOT_FOUND);
  const { rows } = await tx.client.query<{ name: string }>(
    `select name from public.workflow_rules
      where tenant_id = $1
        and (definition -> 'actions' -> 'notify' ? $2::text or definition -> 'escalation' -> 'notify' ? $2::text)
      order by name limit 3`,
    [tenantId, channelId],
  );
  if (rows.length > 0) {
    throw new ActionRefusal(`Rules still notify this channel (${rows.map((r) => `"${r.name}"`).join(", ")}). Change them first; nothing was changed.`);
  }
  await tx.client.query(`delete from public.notification_channels where tenant_id = $1 and id = $2`, [tenantId, channelId]);
  return channel;
}
