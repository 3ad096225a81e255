// "Notify the tenant's default recipients": a rule action whose targets are
// read when the rule runs, from the settings registry (lib/settings), for the
// alert's tenant, inherited down the tree like any setting:
//   notifications.webhook_ids  ids of notification channels (webhooks)
//   notifications.emails       addresses mailed through the outbox
// Read at run time rather than copied into the rule, so changing a tenant's
// defaults (or its MSSP's, when the tenant inherits them) changes where every
// such rule sends, with no rule edited.
//
// A webhook id must name an enabled webhook channel of the tenant holding the setting
// (where the value was set, the tenant itself or the ancestor it inherits
// from): an id of anyone else's channel, or of an email channel, is skipped and
// reported, never sent to.
import type { Db } from "@/lib/db/with-tenant";
import { effectiveConfigAsService } from "@/lib/settings";

export const DEFAULT_WEBHOOKS_KEY = "notifications.webhook_ids";
export const DEFAULT_EMAILS_KEY = "notifications.emails";

export interface DefaultChannel {
  tenantId: string;
  id: string;
  name: string;
  kind: "webhook" | "email";
  recipients: string[];
  tenantName: string;
}

export interface DefaultRecipients {
  webhooks: DefaultChannel[];
  emails: string[];
  /** Ids in the setting that name no enabled webhook channel of the tenant holding it (an email channel's id included). */
  skipped: string[];
  /** Where each list comes from (null: the registry's default, an empty list). */
  webhooksFrom: string | null;
  emailsFrom: string | null;
}

/** The alert tenant's effective default recipients, in the engine's service-role transaction. */
export async function defaultRecipients(db: Db, tenantId: string): Promise<DefaultRecipients> {
  const config = await effectiveConfigAsService(db, tenantId);
  const hooks = config.get(DEFAULT_WEBHOOKS_KEY);
  const mails = config.get(DEFAULT_EMAILS_KEY);
  const ids = [...new Set(hooks.value as string[])];
  let webhooks: DefaultChannel[] = [];
  if (ids.length > 0 && hooks.sourceTenantId) {
    const { rows } = await db.$client.query<{ tenant_id: string; id: string; name: string; kind: "webhook" | "email"; recipients: string[]; tenant_name: string }>(
      `select c.tenant_id, c.id, c.name, c.kind, c.recipients, t.name as tenant_name
         from public.notification_channels c join public.tenants t on t.id = c.tenant_id
        where c.tenant_id = $1 and c.id = any ($2::uuid[]) and c.enabled and c.kind = 'webhook'`,
      [hooks.sourceTenantId, ids],
    );
    webhooks = rows.map((r) => ({ tenantId: r.tenant_id, id: r.id, name: r.name, kind: r.kind, recipients: r.recipients, tenantName: r.tenant_name }));
  }
  const found = new Set(webhooks.map((w) => w.id));
  return {
    webhooks,
    emails: [...new Set(mails.value as string[])],
    skipped: ids.filter((id) => !found.has(id)),
    webhooksFrom: hooks.sourceName,
    emailsFrom: mails.sourceName,
  };
}
