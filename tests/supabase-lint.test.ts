// Supabase's database linter (splinter), the rules that mean something on
// plain Postgres, written here from what each rule checks (issue 9,
// "Validation to add"). A fresh database is migrated; every ERROR or WARN
// finding fails the test unless it is on EXCEPTIONS below with its reason, and
// an exception that no longer fires fails too (it would hide a later finding).
// INFO findings are printed, not failed. Each rule also gets a control: the
// object it exists to catch is created in a rolled-back transaction and the
// rule must report it, so a rule that can never fire cannot pass.
//
// Rules left out, and why: the ones about Supabase's own services or
// settings (auth_allow_anonymous_sign_ins, public_bucket_allows_listing,
// insecure_queue_exposed_in_api: pgmq, pg_graphql_*_table_exposed: pg_graphql
// is not on plain Postgres), and the ones that read run-time statistics
// (unused_index, table_bloat, unused_replication_slot), which say nothing
// about a freshly migrated schema.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type pg from "pg";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const db: TestDatabase = await createTestDatabase({ setEnv: false });
after(() => db.drop());

type Level = "ERROR" | "WARN" | "INFO";
interface Finding {
  rule: string;
  level: Level;
  /** What it is about, e.g. "public.alerts" or "tenancy.visible_tenant_ids()". */
  object: string;
}
const key = (f: Finding) => `${f.rule} ${f.object}`;

// Schemas Supabase manages itself (the linter skips them too): on Supabase they
// are not ours to change. On plain Postgres the compat migration creates
// `auth`, `extensions` and `vault`; the catalog guards cover who may use them.
const MANAGED = [
  "auth", "cron", "extensions", "graphql", "graphql_public", "information_schema", "net", "pgmq", "pgsodium",
  "pgsodium_masks", "pgtle", "pgbouncer", "pg_catalog", "realtime", "repack", "storage", "supabase_functions",
  "supabase_migrations", "vault",
];
const OURS = `n.nspname <> all ($1::text[]) and n.nspname not like 'pg\\_%'`;
/** Schemas PostgREST serves (its db_schemas setting; Supabase's default is public). */
const EXPOSED = `n.nspname in (select trim(s) from unnest(string_to_array(coalesce(nullif(current_setting('pgrst.db_schemas', true), ''), 'public,graphql_public'), ',')) s)`;
const API_ROLES_CAN_SELECT = `(has_table_privilege('anon', c.oid, 'SELECT') or has_table_privilege('authenticated', c.oid, 'SELECT'))`;
const NOT_EXTENSION_MEMBER = (cls: string, oid: string) =>
  `not exists (select 1 from pg_depend d where d.classid = '${cls}'::regclass and d.objid = ${oid} and d.deptype = 'e')`;

/** Each rule: a query over the catalog answering `object` rows (argument $1: the managed schemas). */
interface Rule {
  name: string;
  level: Level;
  sql: string;
}

// Policies with their roles spelled out (PUBLIC = every role that does not bypass RLS).
const POLICIES = `
  select n.nspname, c.relname, format('%I.%I', n.nspname, c.relname) as tbl, p.polname, p.polpermissive, c.relrowsecurity,
         case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end as cmd,
         p.polroles, pg_get_expr(p.polqual, p.polrelid) as qual, pg_get_expr(p.polwithcheck, p.polrelid) as with_check
    from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace`;

const RULES: Rule[] = [
  {
    name: "rls_disabled_in_public",
    level: "ERROR",
    sql: `select format('%I.%I', n.nspname, c.relname) as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind in ('r', 'p') and n.nspname = 'public' and not c.relrowsecurity and $1::text[] is not null`,
  },
  {
    name: "policy_exists_rls_disabled",
    level: "ERROR",
    sql: `select distinct format('%I.%I', n.nspname, c.relname) as object from pg_policy p join pg_class c on c.oid = p.polrelid
           join pg_namespace n on n.oid = c.relnamespace where not c.relrowsecurity and ${OURS}`,
  },
  {
    name: "security_definer_view",
    level: "ERROR",
    sql: `select format('%I.%I', n.nspname, c.relname) as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind = 'v' and ${OURS} and ${API_ROLES_CAN_SELECT} and ${NOT_EXTENSION_MEMBER("pg_class", "c.oid")}
             and not coalesce((select bool_or(lower(o) in ('security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes'))
                                 from unnest(c.reloptions) o), false)`,
  },
  {
    name: "auth_users_exposed",
    level: "ERROR",
    // A view or materialized view in an API schema that reads auth.users and that anon or authenticated may select.
    sql: `select distinct format('%I.%I', n.nspname, c.relname) as object
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            join pg_rewrite r on r.ev_class = c.oid
            join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid and d.refclassid = 'pg_class'::regclass
            join pg_class t on t.oid = d.refobjid join pg_namespace tn on tn.oid = t.relnamespace
           where c.relkind in ('v', 'm') and tn.nspname = 'auth' and t.relname = 'users' and ${EXPOSED} and ${API_ROLES_CAN_SELECT}
             and $1::text[] is not null`,
  },
  {
    name: "rls_references_user_metadata",
    level: "ERROR",
    // user_metadata is editable by the user themselves: a policy must never trust it.
    sql: `select format('%s / %s', tbl, polname) as object from (${POLICIES}) p join pg_namespace n on n.nspname = p.nspname
           where ${OURS} and (coalesce(qual, '') || coalesce(with_check, '')) ~* 'user_metadata'`,
  },
  {
    name: "sensitive_columns_exposed",
    level: "ERROR",
    sql: `select format('%I.%I.%I', n.nspname, c.relname, a.attname) as object
            from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
           where c.relkind = 'r' and ${EXPOSED} and ${OURS} and not c.relrowsecurity and ${API_ROLES_CAN_SELECT}
             and replace(lower(a.attname), '-', '_') in ('password', 'passwd', 'pwd', 'passphrase', 'secret', 'secret_key', 'private_key',
               'api_key', 'apikey', 'auth_key', 'token', 'jwt', 'access_token', 'refresh_token', 'session_token', 'session_id',
               'session_secret', 'recovery_code', 'backup_code', 'verification_code', 'otp', 'two_factor', 'ssn', 'credit_card',
               'card_number', 'cvv', 'iban', 'bank_account', 'account_number', 'passport_number', 'tax_id')`,
  },
  {
    name: "fkey_to_auth_unique",
    level: "ERROR",
    // A foreign key into Supabase's auth schema must reference its primary key, not another unique constraint.
    sql: `select format('%s on %s', con.conname, con.conrelid::regclass) as object from pg_constraint con
            join pg_class t on t.oid = con.confrelid join pg_namespace tn on tn.oid = t.relnamespace
            left join pg_constraint ref on ref.conindid = con.conindid and ref.conrelid = con.confrelid and ref.contype in ('p', 'u')
           where con.contype = 'f' and tn.nspname = 'auth' and coalesce(ref.contype, 'u') <> 'p' and $1::text[] is not null`,
  },
  {
    name: "auth_rls_initplan",
    level: "WARN",
    // Checked in TypeScript below (needsInitPlan): every call of auth.uid/jwt/role/email() or
    // current_setting() in a policy must sit in its own sub-select, so it runs once per statement.
    sql: `select format('%s / %s', tbl, polname) as object, qual, with_check from (${POLICIES}) p join pg_namespace n on n.nspname = p.nspname
           where ${OURS} and p.relrowsecurity`,
  },
  {
    name: "multiple_permissive_policies",
    level: "WARN",
    sql: `with p as (${POLICIES}), acts(cmd, act) as (values ('select','select'), ('insert','insert'), ('update','update'), ('delete','delete'),
                  ('all','select'), ('all','insert'), ('all','update'), ('all','delete'))
          select format('%s %s %s', p.tbl, r.rolname, a.act) as object
            from p join pg_namespace n on n.nspname = p.nspname join acts a on a.cmd = p.cmd
            join pg_roles r on (r.oid = any (p.polroles) or p.polroles = '{0}') and not r.rolbypassrls and r.rolname !~ '^pg_'
           where p.polpermissive and ${OURS}
           group by p.tbl, r.rolname, a.act having count(*) > 1`,
  },
  {
    name: "function_search_path_mutable",
    level: "WARN",
    sql: `select format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as object
            from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where ${OURS} and ${NOT_EXTENSION_MEMBER("pg_proc", "p.oid")}
             and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) s where s like 'search\\_path=%')`,
  },
  {
    name: "anon_security_definer_function_executable",
    level: "WARN",
    sql: `select format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as object
            from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where p.prosecdef and ${OURS} and has_function_privilege('anon', p.oid, 'EXECUTE')`,
  },
  {
    name: "authenticated_security_definer_function_executable",
    level: "WARN",
    sql: `select format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as object
            from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where p.prosecdef and ${OURS} and has_function_privilege('authenticated', p.oid, 'EXECUTE')`,
  },
  {
    name: "rls_policy_always_true",
    level: "WARN",
    sql: `with p as (${POLICIES}), norm as (
            select p.*, regexp_replace(lower(coalesce(qual, '')), '\\s', '', 'g') as q, regexp_replace(lower(coalesce(with_check, '')), '\\s', '', 'g') as w from p)
          select format('%s / %s', tbl, polname) as object from norm join pg_namespace n on n.nspname = norm.nspname
           where ${OURS} and relrowsecurity and polpermissive
             and (polroles = '{0}' or exists (select 1 from pg_roles r where r.oid = any (polroles) and r.rolname in ('anon', 'authenticated')))
             and ((cmd in ('update', 'delete', 'all') and (q in ('true', '(true)', '1=1', '(1=1)') or qual is null))
               or w in ('true', '(true)', '1=1', '(1=1)')
               or (cmd = 'insert' and with_check is null))`,
  },
  {
    name: "rls_policy_null_auth_disjunct",
    level: "WARN",
    // Checked in TypeScript below (nullAuthDisjunct): a read policy "auth.uid() is null or …" admits every row to a caller without one.
    sql: `select format('%s / %s', tbl, polname) as object, qual from (${POLICIES}) p join pg_namespace n on n.nspname = p.nspname
           where ${OURS} and relrowsecurity and polpermissive and cmd in ('select', 'all')`,
  },
  {
    name: "duplicate_index",
    level: "WARN",
    sql: `select string_agg(format('%I.%I', n.nspname, ic.relname), ' = ' order by ic.relname) as object
            from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
           where ${OURS} and ${NOT_EXTENSION_MEMBER("pg_class", "c.oid")}
           group by c.oid, i.indkey::text, i.indclass::text, i.indcollation::text, i.indoption::text, coalesce(pg_get_expr(i.indexprs, i.indrelid), ''),
                    coalesce(pg_get_expr(i.indpred, i.indrelid), ''), i.indisunique, ic.relam
          having count(*) > 1`,
  },
  {
    name: "invalid_index",
    level: "WARN",
    sql: `select format('%I.%I', n.nspname, ic.relname) as object from pg_index i join pg_class ic on ic.oid = i.indexrelid
            join pg_namespace n on n.oid = ic.relnamespace where not i.indisvalid and i.indisready and ${OURS}`,
  },
  {
    name: "extension_in_public",
    level: "WARN",
    sql: `select x.extname as object from pg_extension x join pg_namespace n on n.oid = x.extnamespace where n.nspname = 'public' and $1::text[] is not null`,
  },
  {
    name: "extension_versions_outdated",
    level: "WARN",
    sql: `select format('%s %s (default %s)', name, installed_version, default_version) as object from pg_available_extensions
           where installed_version is not null and default_version is not null and installed_version <> default_version and $1::text[] is not null`,
  },
  {
    name: "pg17_deprecated_extensions",
    level: "WARN",
    sql: `select extname as object from pg_extension where extname in ('plv8', 'timescaledb', 'adminpack') and $1::text[] is not null`,
  },
  {
    name: "materialized_view_in_api",
    level: "WARN",
    sql: `select format('%I.%I', n.nspname, c.relname) as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind = 'm' and ${EXPOSED} and ${API_ROLES_CAN_SELECT} and $1::text[] is not null`,
  },
  {
    name: "foreign_table_in_api",
    level: "WARN",
    sql: `select format('%I.%I', n.nspname, c.relname) as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind = 'f' and ${EXPOSED} and ${API_ROLES_CAN_SELECT} and $1::text[] is not null`,
  },
  {
    name: "unsupported_reg_types",
    level: "WARN",
    // Columns of these types block pg_upgrade (their oids do not survive it).
    sql: `select format('%I.%I.%I', n.nspname, c.relname, a.attname) as object
            from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
           where a.attnum > 0 and not a.attisdropped and n.nspname not in ('pg_catalog', 'information_schema') and $1::text[] is not null
             and a.atttypid in ('regcollation'::regtype, 'regconfig'::regtype, 'regdictionary'::regtype, 'regnamespace'::regtype,
                                'regoper'::regtype, 'regoperator'::regtype, 'regproc'::regtype, 'regprocedure'::regtype)`,
  },
  {
    name: "unindexed_foreign_keys",
    level: "INFO",
    // No index whose leading columns are the foreign key's columns.
    sql: `select format('%s on %I.%I', con.conname, n.nspname, c.relname) as object
            from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
           where con.contype = 'f' and ${OURS}
             and not exists (select 1 from pg_index i where i.indrelid = con.conrelid
                               and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] @> con.conkey
                               and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] <@ con.conkey)`,
  },
  {
    name: "no_primary_key",
    level: "INFO",
    sql: `select format('%I.%I', n.nspname, c.relname) as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind in ('r', 'p') and not c.relispartition and ${OURS} and ${NOT_EXTENSION_MEMBER("pg_class", "c.oid")}
             and not exists (select 1 from pg_constraint p where p.conrelid = c.oid and p.contype = 'p')`,
  },
  {
    name: "rls_enabled_no_policy",
    level: "INFO",
    sql: `select format('%I.%I', n.nspname, c.relname) as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind in ('r', 'p') and c.relrowsecurity and ${OURS} and not exists (select 1 from pg_policy p where p.polrelid = c.oid)`,
  },
  {
    name: "autovacuum_disabled",
    level: "INFO",
    sql: `select format('%I.%I', n.nspname, c.relname) as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind = 'r' and ${OURS} and 'autovacuum_enabled=false' = any (c.reloptions)`,
  },
];

/** Calls of a claims reader in `expr` that are not the whole of their own sub-select. */
export function needsInitPlan(expr: string | null): boolean {
  if (!expr) return false;
  const call = /\b(auth\.(uid|jwt|role|email)\(\)|current_setting\()/gi;
  for (const m of expr.matchAll(call)) {
    // Postgres deparses `(select auth.uid())` as `( SELECT auth.uid() AS uid)`.
    const before = expr.slice(0, m.index).trimEnd();
    if (!/\(\s*select$/i.test(before)) return true;
  }
  return false;
}

/** A top-level OR branch that is `<claims reader> IS NULL` (or `NOT (… IS NOT NULL)`). */
export function nullAuthDisjunct(expr: string | null): boolean {
  if (!expr) return false;
  let s = expr.trim();
  while (s.startsWith("(") && matchingParen(s, 0) === s.length - 1) s = s.slice(1, -1).trim();
  const branches: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")") depth--;
    else if (depth === 0 && /^ OR /i.test(s.slice(i, i + 4))) {
      branches.push(s.slice(start, i));
      start = i + 4;
    }
  }
  if (branches.length === 0) return false;
  branches.push(s.slice(start));
  const reader = String.raw`(\(\s*SELECT\s+)?(auth\.(uid|jwt|role)\(\)|current_setting\([^)]*,\s*true\))(\s+AS\s+\w+\))?`;
  const isNull = new RegExp(String.raw`^\(*\s*${reader}\s+IS\s+NULL\s*\)*$`, "i");
  const notNotNull = new RegExp(String.raw`^\(*\s*NOT\s*\(*\s*${reader}\s+IS\s+NOT\s+NULL\s*\)*$`, "i");
  return branches.some((b) => isNull.test(b.trim()) || notNotNull.test(b.trim()));
}

function matchingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")" && --depth === 0) return i;
  }
  return -1;
}

async function lint(client: pg.Client): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const rule of RULES) {
    const { rows } = await client.query<{ object: string; qual?: string | null; with_check?: string | null }>(rule.sql, [MANAGED]);
    for (const row of rows) {
      if (rule.name === "auth_rls_initplan" && !(needsInitPlan(row.qual ?? null) || needsInitPlan(row.with_check ?? null))) continue;
      if (rule.name === "rls_policy_null_auth_disjunct" && !nullAuthDisjunct(row.qual ?? null)) continue;
      out.push({ rule: rule.name, level: rule.level, object: row.object });
    }
  }
  return out.sort((a, b) => key(a).localeCompare(key(b)));
}

const GRAPHILE_WORKER_FUNCTIONS = [
  "add_job(identifier text, payload json, queue_name text, run_at timestamp with time zone, max_attempts integer, job_key text, priority integer, flags text[], job_key_mode text)",
  "add_jobs(specs graphile_worker.job_spec[], job_key_preserve_run_at boolean)",
  "complete_jobs(job_ids bigint[])",
  "force_unlock_workers(worker_ids text[])",
  "permanently_fail_jobs(job_ids bigint[], error_message text)",
  "remove_job(job_key text)",
  "reschedule_jobs(job_ids bigint[], run_at timestamp with time zone, priority integer, attempts integer, max_attempts integer)",
];

/**
 * Findings that are meant, each with why. Keep this short: a new entry needs
 * a reason that would convince a reviewer, and goes in docs/security-model.md.
 */
const EXCEPTIONS = new Map<string, string>([
  // The RLS helpers must read memberships and tenants without RLS (reading them under RLS from a
  // policy on those very tables would recurse), so they are security definer with search_path ''.
  // They live in `tenancy`, which PostgREST does not serve (no /rest/v1/rpc), take no row, and
  // return only ids of the caller's own scope, read from auth.uid(); tests/claims.test.ts and
  // rls-*.test.ts try forged claims against them.
  ...["tenancy.visible_tenant_ids()", "tenancy.tenant_ids_with_role(roles text[])", "tenancy.frozen_tenant_ids()",
    "tenancy.visible_ids()", "tenancy.ids_with_role(roles text[])",
    "tenancy.caller_admin_rank_on(target uuid)", "tenancy.user_is_visible(target uuid)"].map(
    (f): [string, string] => [`authenticated_security_definer_function_executable ${f}`, "RLS helper: must bypass RLS to evaluate RLS; caller's own scope only"],
  ),
  // The effective configuration (lib/settings, migration 20261201001000): resolving a tenant's
  // settings reads its ancestors' rows, which the caller may not read under RLS (a customer's admin
  // sees that the MSSP locked a setting, not the MSSP's other rows). In `settings`, not served by
  // PostgREST; answers only for tenants in tenancy.visible_tenant_ids() (tests/tenant-settings.test.ts).
  ["authenticated_security_definer_function_executable settings.effective(p_tenants uuid[])", "effective settings: ancestors' values for tenants the caller can see only"],
  // Inherited workflow rules (lib/rules, migration 20261201003000): a customer's admin sees the MSSP's
  // rules read-only, which RLS hides. In `workflows`, not served by PostgREST; answers only for a
  // tenant in tenancy.visible_tenant_ids() (tests/workflows.test.ts asks as another customer).
  ["authenticated_security_definer_function_executable workflows.rules_for(tenant uuid)", "inherited rules: ancestors' rules for a tenant the caller can see only"],
  // Inherited assignee groups (lib/groups, migration 20261201011000): a customer's analyst picks the
  // MSSP's "Tier 1 SOC" for an alert, which RLS hides. In `workflows`, not served by PostgREST;
  // names and member counts only, for a tenant in tenancy.visible_tenant_ids() (tests/groups-db.test.ts
  // asks as another customer and the other MSSP, and gets nothing).
  ["authenticated_security_definer_function_executable workflows.groups_for(tenant uuid)", "inherited groups: ancestors' group names for a tenant the caller can see only"],
  // People on an alert the caller cannot see by name (lib/alerts/people.ts, migration 20261201029800):
  // whether each is MSSP staff covering the alert's tenant, a member above, or a former member, which
  // RLS hides (their memberships are the MSSP's). In `workflows`, not served by PostgREST; only the
  // assignee and timeline people of alerts of tenants in tenancy.visible_tenant_ids(), one of three
  // words each (tests/alert-assignee-eligibility.test.ts asks about another customer's alert and gets nothing).
  ["authenticated_security_definer_function_executable workflows.people_standing(alert_tenants uuid[], alert_ids uuid[], include_timeline boolean)", "people on visible alerts: MSSP staff, member above, or former member only"],
  // The same words for the people a tenant's API keys (creator, revoker) and own assignee groups reference
  // (lib/people/standing.ts, migration 20261201030000): in `tenancy`, not served by PostgREST; for a tenant in
  // tenancy.visible_tenant_ids() only, no id of the caller's choosing (tests/people-standing-in.test.ts).
  ["authenticated_security_definer_function_executable tenancy.people_standing_in(tenant uuid)", "people of a visible tenant's keys and groups: MSSP staff, member above, or former member only"],
  // An API key records its own last use (lib/api/gateway, migration 20261201010000): the key has no
  // UPDATE on api_keys. In `api`, not served by PostgREST; updates only the row of the caller's own
  // key claim (tenancy.api_key_id()), at most once a minute (tests/api-keys.test.ts).
  ["authenticated_security_definer_function_executable api.touch_key(ip text)", "a key's own last use: the caller's key row only"],
  // A collector's key unwraps its own tenant's DEK (lib/collector, migration 20261201013100): only a
  // live key with collectors:write, only its own tenant; in `api`, not served by PostgREST.
  ["authenticated_security_definer_function_executable api.unwrap_own_dek(dek_version integer)", "a collector key's own tenant DEK only"],
  // A collector's key marks the credentials it opened as used (lib/collector/open-credentials.ts, migration
  // 20261201030400): the key has no UPDATE on credentials. In `api`, not served by PostgREST; last_used_at only,
  // of its own tenant's rows it opened in this transaction, once a minute (tests/collector-credentials-last-used.test.ts).
  ["authenticated_security_definer_function_executable api.touch_opened_credentials(credential_ids uuid[])", "a collector key's own opened credentials' last use only"],
  // Usage metering (lib/usage, migration 20261201012000): the tenants whose usage the caller may
  // read; security definer because a key may not read its own api_keys row (its usage:read scope).
  // In `usage`, not served by PostgREST; a subset of tenancy.visible_tenant_ids() (tests/usage-rls.test.ts).
  ["authenticated_security_definer_function_executable usage.readable_tenant_ids()", "usage readers: the caller's own admin scope, or its key's when it holds usage:read"],
  ["authenticated_security_definer_function_executable usage.readable_ids()", "the same usage readers as an array, for the usage tables' policies (migration 20261201027000)"],
  // Benchmarks (lib/analytics, migration 20261201016500): a customer's admins see its percentile among
  // anonymous peers, whose rows RLS hides. In `analytics`, not served by PostgREST; returns the caller's
  // own value, percentile and group size only (nothing for a group below 5), for a customer the caller
  // holds a benchmark role on (tests/analytics-compare.test.ts asks as others and gets nothing).
  ["authenticated_security_definer_function_executable analytics.peer_benchmark(p_tenant uuid, p_group text, p_from date, p_to date, p_own_only uuid[])", "benchmarks: the caller's own percentile among anonymous peers only"],
  // The alert list's full-text search as the owner, so the search index can be used (through RLS it cannot:
  // the match is not leakproof): ids and a count of the caller's visible alerts only (tests/alert-search.test.ts).
  ["authenticated_security_definer_function_executable search.alert_page(p_q text, p_tenants uuid[], p_severity text, p_statuses text[], p_assignee uuid, p_unassigned boolean, p_group uuid, p_no_group boolean, p_my_groups boolean, p_from timestamp with time zone, p_before timestamp with time zone, p_sort text, p_page integer, p_page_size integer, p_cap integer)", "alert search: ids and a count of the caller's visible alerts only"],
  // A person's audit row (lib/audit/record.ts, migration 20261201030100): replaces INSERT on
  // public.audit_log, which the Data API would serve to any member. In `audit`, not served by PostgREST;
  // writes only as auth.uid(), into a tenant of tenancy.visible_ids(), never an auth:* action
  // (tests/audit-record-function.test.ts).
  ["authenticated_security_definer_function_executable audit.record(p_tenant uuid, p_action text, p_target_type text, p_target_id text, p_outcome text, p_details jsonb, p_request_id text)", "a person's own audit row: as themselves, into a tenant they can see only"],
  // graphile-worker's own functions, installed and upgraded by graphile-worker after the migrations
  // (lib/jobs/install.ts), so a migration cannot pin them and an upgrade would replace them anyway.
  // Their bodies name every object schema-qualified, they are security invoker (a search_path
  // can only ever point the caller at what the caller could already reach), and only service_role
  // may execute them: the test below checks both, so this exception cannot cover a riskier one.
  ...GRAPHILE_WORKER_FUNCTIONS.map((f): [string, string] => [`function_search_path_mutable graphile_worker.${f}`, "graphile-worker's own, security invoker, service_role only"]),
]);

describe("Supabase linter rules on the migrated schema", () => {
  test("no ERROR or WARN finding outside the documented exceptions; every exception still fires", async () => {
    const findings = await withClient(db.url, lint);
    const info = findings.filter((f) => f.level === "INFO");
    if (info.length) console.log(`INFO findings (reported, not failed):\n${info.map((f) => `  ${key(f)}`).join("\n")}`);
    const serious = findings.filter((f) => f.level !== "INFO");
    assert.deepEqual(serious.filter((f) => !EXCEPTIONS.has(key(f))).map((f) => `${f.level} ${key(f)}`), []);
    const seen = new Set(serious.map(key));
    assert.deepEqual([...EXCEPTIONS.keys()].filter((k) => !seen.has(k)), [], "stale exceptions");
  });

  test("the graphile_worker exception holds: those functions are security invoker and only service_role may run them", async () => {
    await withClient(db.url, async (c) => {
      const { rows } = await c.query<{ fn: string; definer: boolean; runners: string[] }>(`
        select format('%s(%s)', p.proname, pg_get_function_identity_arguments(p.oid)) as fn, p.prosecdef as definer,
               array(select r.rolname::text from pg_roles r where r.rolname !~ '^pg_' and not r.rolsuper and has_function_privilege(r.oid, p.oid, 'EXECUTE')
                     order by 1) as runners
          from pg_proc p where p.pronamespace = 'graphile_worker'::regnamespace order by 1`);
      for (const r of rows) {
        assert.equal(r.definer, false, r.fn);
        assert.deepEqual(r.runners, ["service_role"], r.fn);
      }
      assert.deepEqual(rows.map((r) => r.fn).filter((f) => !GRAPHILE_WORKER_FUNCTIONS.includes(f)), []);
    });
  });

  test("controls: each rule reports the object it exists to catch", async () => {
    await withClient(db.url, async (c) => {
      await c.query("begin");
      try {
        await c.query(`
          create table public.lint_open (id int, password text);
          grant select on public.lint_open to anon;
          create table public.lint_rls (id int primary key, owner uuid, ref int);
          alter table public.lint_rls enable row level security;
          create policy "p1" on public.lint_rls for select to authenticated using (owner = auth.uid());
          create policy "p2" on public.lint_rls for select to authenticated using (auth.uid() is null or owner = (select auth.uid()));
          create policy "p3" on public.lint_rls for update to authenticated using (true);
          create policy "p4" on public.lint_rls for insert to authenticated with check ((auth.jwt() -> 'user_metadata' ->> 'x') = 'y');
          create table public.lint_norls (id int primary key);
          create policy "p5" on public.lint_norls for select to authenticated using (true);
          alter table public.lint_rls add constraint lint_rls_ref_fk foreign key (ref) references public.lint_rls (id);
          create index lint_a on public.lint_rls (owner);
          create index lint_b on public.lint_rls (owner);
          create view public.lint_view as select 1 as x;
          grant select on public.lint_view to authenticated;
          create materialized view public.lint_mv as select 1 as x;
          grant select on public.lint_mv to anon;
          create table public.lint_reg (id int primary key, f regproc);
          alter table public.lint_reg enable row level security;
          create table public.lint_nopk (id int) with (autovacuum_enabled = false);
          alter table public.lint_nopk enable row level security;
          create function public.lint_fn() returns int language sql as 'select 1';
          create function public.lint_definer() returns int language sql security definer set search_path = '' as 'select 1';
          grant execute on function public.lint_definer() to anon, authenticated;
        `);
        const got = new Set((await lint(c)).map(key));
        const expected = [
          "rls_disabled_in_public public.lint_open",
          "sensitive_columns_exposed public.lint_open.password",
          "policy_exists_rls_disabled public.lint_norls",
          "rls_disabled_in_public public.lint_norls",
          "auth_rls_initplan public.lint_rls / p1",
          "rls_policy_null_auth_disjunct public.lint_rls / p2",
          "auth_rls_initplan public.lint_rls / p2",
          "multiple_permissive_policies public.lint_rls authenticated select",
          "rls_policy_always_true public.lint_rls / p3",
          "rls_references_user_metadata public.lint_rls / p4",
          "duplicate_index public.lint_a = public.lint_b",
          "security_definer_view public.lint_view",
          "materialized_view_in_api public.lint_mv",
          "unsupported_reg_types public.lint_reg.f",
          "no_primary_key public.lint_nopk",
          "autovacuum_disabled public.lint_nopk",
          "rls_enabled_no_policy public.lint_nopk",
          "unindexed_foreign_keys lint_rls_ref_fk on public.lint_rls",
          "function_search_path_mutable public.lint_fn()",
          "anon_security_definer_function_executable public.lint_definer()",
          "authenticated_security_definer_function_executable public.lint_definer()",
        ];
        assert.deepEqual(expected.filter((e) => !got.has(e)), [], "rules that did not fire on their control");
        // The shapes the checks accept: a reader in its own sub-select, a gated null check.
        assert.ok(![...got].includes("rls_policy_null_auth_disjunct public.lint_rls / p1"));
      } finally {
        await c.query("rollback");
      }
    });
  });

  test("control: the text checks accept the shapes the migrations use", () => {
    assert.equal(needsInitPlan("(id = ( SELECT auth.uid() AS uid))"), false);
    assert.equal(needsInitPlan("(tenant_id = ANY (ARRAY( SELECT tenancy.visible_tenant_ids() AS visible_tenant_ids)))"), false);
    assert.equal(needsInitPlan("(id = auth.uid())"), true);
    assert.equal(needsInitPlan("((current_setting('request.jwt.claims', true))::jsonb ->> 'sub') = 'x'"), true);
    assert.equal(nullAuthDisjunct("((auth.uid() IS NULL) OR (owner = auth.uid()))"), true);
    assert.equal(nullAuthDisjunct("((NOT (auth.uid() IS NOT NULL)) OR (owner = auth.uid()))"), true);
    assert.equal(nullAuthDisjunct("((auth.uid() IS NOT NULL) AND ((owner IS NULL) OR (owner = auth.uid())))"), false);
    assert.equal(nullAuthDisjunct("((user_id = ( SELECT auth.uid() AS uid)) OR (tenant_id = ANY (ARRAY( SELECT 1))))"), false);
  });
});
