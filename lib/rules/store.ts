// Rules of a tenant, in the caller's withTenant transaction. RLS decides
// which rows exist and who may write (admins of the tenant or an ancestor);
// the table's triggers bump the version and keep the history on every
// change, so nothing here can skip it. A tenant's view is its own rules plus
// its ancestors' (inherited, read-only here): workflows.rules_for.
import type { TenantTx } from "@/lib/db/with-tenant";
import { sqlState } from "@/lib/db/sql-state";
import { ActionRefusal } from "@/lib/actions/refusal";
import { assigneesFor } from "@/lib/alerts/detail";
import { groupsFor } from "@/lib/groups/store";
import { parseDefinition, referencesOf, type RuleDefinition } from "./language";

export interface Rule {
  tenantId: string;
  tenantName: string;
  /** Owned by an ancestor: shown, not editable here. */
  inherited: boolean;
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  version: number;
  definition: RuleDefinition | null;
  /** Set when the stored definition no longer passes the language (it is then skipped). */
  problems: string[];
  updatedAt: Date;
}

export interface RuleVersion {
  version: number;
  change: string;
  name: string;
  enabled: boolean;
  definition: unknown;
  changedAt: Date;
  changedBy: string | null;
}

export const RULE_NOT_FOUND = "That rule is not here: it may have been removed, or it belongs to another tenant. Nothing was changed.";

interface RuleRow {
  tenant_id: string;
  tenant_name: string;
  depth: number;
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  version: number;
  definition: unknown;
  updated_at: Date;
}

export function toRule(r: RuleRow, tenantId: string): Rule {
  const parsed = parseDefinition(r.definition);
  return {
    tenantId: r.tenant_id,
    tenantName: r.tenant_name,
    inherited: r.tenant_id !== tenantId,
    id: r.id,
    name: r.name,
    position: r.position,
    enabled: r.enabled,
    version: r.version,
    definition: parsed.ok ? parsed.definition : null,
    problems: parsed.ok ? [] : parsed.errors,
    updatedAt: new Date(r.updated_at),
  };
}

/** The tenant's rules in evaluation order: the MSSP's first, down to the tenant's own. */
export async function rulesFor(tx: TenantTx, tenantId: string): Promise<Rule[]> {
  const { rows } = await tx.client.query<RuleRow>(`select * from workflows.rules_for($1)`, [tenantId]);
  return rows.map((r) => toRule(r, tenantId));
}

export async function ruleHistory(tx: TenantTx, tenantId: string, ruleId: string): Promise<RuleVersion[]> {
  const { rows } = await tx.client.query(
    `select v.version, v.change, v.name, v.enabled, v.definition, v.changed_at, u.name as changed_by
       from public.workflow_rule_versions v left join public.users u on u.id = v.changed_by
      where v.tenant_id = $1 and v.rule_id = $2 order by v.version desc`,
    [tenantId, ruleId],
  );
  return rows.map((r) => ({ version: r.version, change: r.change, name: r.name, enabled: r.enabled, definition: r.definition, changedAt: new Date(r.changed_at), changedBy: r.changed_by }));
}

/**
 * The channels, people and groups a rule names must be the tenant's own
 * channels, people who may be assigned its alerts, and groups of the tenant
 * or an ancestor. Refused with a sentence otherwise:
 * a channel of another tenant reads exactly like one that does not exist.
 */
async function checkReferences(tx: TenantTx, tenantId: string, d: RuleDefinition): Promise<void> {
  const refs = referencesOf(d);
  if (refs.channels.length > 0) {
    const { rows } = await tx.client.query<{ id: string }>(
      `select id from public.notification_channels where tenant_id = $1 and id = any ($2::uuid[])`,
      [tenantId, refs.channels],
    );
    if (rows.length !== refs.channels.length) {
      throw new ActionRefusal("A channel in this rule is not one of this tenant's channels. Pick one from the list; nothing was changed.", { field: "channel" });
    }
  }
  if (refs.people.length > 0) {
    const allowed = new Set((await assigneesFor(tx, tenantId)).map((a) => a.id));
    if (!refs.people.every((p) => allowed.has(p))) {
      throw new ActionRefusal("That person cannot be assigned alerts here: only analysts and admins of this tenant, or MSSP staff covering it. Nothing was changed.", {
        field: "assignee",
      });
    }
  }
  if (refs.groups.length > 0) {
    // The tenant's own groups and its ancestors' (a rule applies below its tenant, where those are usable too).
    const usable = new Set((await groupsFor(tx.client, tenantId)).map((g) => g.id));
    const unknown = refs.groups.filter((g) => !usable.has(g));
    if (unknown.length > 0) {
      throw new ActionRefusal("A group in this rule is not one of this tenant's groups or an inherited one. Pick one from the list; nothing was changed.", {
        field: "group",
      });
    }
  }
}

/** The most rules one tenant may hold (its own; inherited ones do not count). The database's trigger (migration 20261201029420) holds the same number. */
export const RULES_PER_TENANT = 200;

function refusalOf(error: unknown, name: string): never {
  if (sqlState(error) === "23505") throw new ActionRefusal(`There is already a rule named "${name}" here. Pick another name; nothing was changed.`);
  if (sqlState(error) === "54000" && (error as { hint?: string }).hint === "rule_limit") {
    throw new ActionRefusal(`This tenant already has ${RULES_PER_TENANT} rules, the most it may have. Delete one it no longer needs first; nothing was changed.`, {
      problem: "rule_limit",
    });
  }
  throw error;
}

export interface RuleInput {
  tenantId: string;
  name: string;
  position: number;
  enabled: boolean;
  definition: unknown;
}

function validDefinition(raw: unknown): RuleDefinition {
  const parsed = parseDefinition(raw);
  if (!parsed.ok) throw new ActionRefusal(`The rule is not valid: ${parsed.errors.join("; ")}. Nothing was changed.`, { problems: parsed.errors.slice(0, 5) });
  return parsed.definition;
}

export async function createRule(tx: TenantTx, input: RuleInput): Promise<Rule> {
  const definition = validDefinition(input.definition);
  await checkReferences(tx, input.tenantId, definition);
  try {
    const { rows } = await tx.client.query<{ id: string }>(
      `insert into public.workflow_rules (tenant_id, name, position, enabled, definition, created_by, updated_by)
       values ($1, $2, $3, $4, $5, $6, $6) returning id`,
      [input.tenantId, input.name.trim(), input.position, input.enabled, definition, tx.claims.sub],
    );
    return (await getRule(tx, input.tenantId, rows[0].id))!;
  } catch (error) {
    refusalOf(error, input.name);
  }
}

export async function getRule(tx: TenantTx, tenantId: string, ruleId: string): Promise<Rule | null> {
  const { rows } = await tx.client.query<RuleRow>(
    `select r.tenant_id, t.name as tenant_name, 0 as depth, r.id, r.name, r.position, r.enabled, r.version, r.definition, r.updated_at
       from public.workflow_rules r join public.tenants t on t.id = r.tenant_id
      where r.tenant_id = $1 and r.id = $2`,
    [tenantId, ruleId],
  );
  return rows[0] ? toRule(rows[0], tenantId) : null;
}

/** Saves a change as a new version (the trigger numbers it and keeps the old one). */
/**
 * Saves the rule as a new version. `fromVersion`: the version the editor was opened on; a save over
 * a newer one (a colleague's change since) is refused rather than silently undoing it.
 */
export async function updateRule(tx: TenantTx, ruleId: string, input: RuleInput, fromVersion?: number): Promise<Rule> {
  const definition = validDefinition(input.definition);
  await checkReferences(tx, input.tenantId, definition);
  try {
    const { rowCount } = await tx.client.query(
      `update public.workflow_rules set name = $3, position = $4, enabled = $5, definition = $6, updated_by = $7
        where tenant_id = $1 and id = $2 and ($8::int is null or version = $8)`,
      [input.tenantId, ruleId, input.name.trim(), input.position, input.enabled, definition, tx.claims.sub, fromVersion ?? null],
    );
    if (!rowCount) {
      const now = fromVersion === undefined ? null : await getRule(tx, input.tenantId, ruleId);
      if (now) throw new ActionRefusal(`This rule changed since you opened it (it is at version ${now.version} now, you edited version ${fromVersion}). Reload the page to see it; nothing was saved.`);
      throw new ActionRefusal(RULE_NOT_FOUND);
    }
  } catch (error) {
    if (error instanceof ActionRefusal) throw error;
    refusalOf(error, input.name);
  }
  return (await getRule(tx, input.tenantId, ruleId))!;
}

export async function setRuleEnabled(tx: TenantTx, tenantId: string, ruleId: string, enabled: boolean): Promise<Rule> {
  const { rowCount } = await tx.client.query(`update public.workflow_rules set enabled = $3, updated_by = $4 where tenant_id = $1 and id = $2`, [
    tenantId,
    ruleId,
    enabled,
    tx.claims.sub,
  ]);
  if (!rowCount) throw new ActionRefusal(RULE_NOT_FOUND);
  return (await getRule(tx, tenantId, ruleId))!;
}

export async function deleteRule(tx: TenantTx, tenantId: string, ruleId: string): Promise<Rule> {
  const rule = await getRule(tx, tenantId, ruleId);
  if (!rule) throw new ActionRefusal(RULE_NOT_FOUND);
  await tx.client.query(`delete from public.workflow_rules where tenant_id = $1 and id = $2`, [tenantId, ruleId]);
  return rule;
}
