// The accounts a restore brings along. Users are not tenant-scoped (one
// person may be a member of several tenants, or exist here already), so:
//   - an account with the archive's id here is kept as it is (its password
//     and second factor may be newer than the archive's);
//   - else an account with the same email here is the same person: the
//     archive's id is mapped to it in every row that names a user;
//   - else a member's account is created with its password hash, second
//     factor and recovery codes, so they can sign in; a user the rows only
//     name (alerts.assigned_to, credentials.created_by…) and who is not here
//     is cleared from those columns, which are all ON DELETE SET NULL.
// The mapping lives in a temp table for the length of the restore.
import type pg from "pg";
import { openTotpSecret, sealTotpSecret } from "@/lib/auth/mfa-crypto";
import { quoteIdent } from "@/lib/lifecycle/catalog";
import { unwrapSecret } from "./secrets";
import { totpAad } from "./export";

type Queryable = Pick<pg.ClientBase, "query">;

export interface UserReport {
  created: number;
  existing: number;
  mappedByEmail: number;
  /** References to users who are not in this deployment, set to null. */
  clearedReferences: number;
  totpResealed: number;
  /** Second factors sealed under another NEXTAUTH_SECRET and not carried re-wrapped: those users must enrol again. */
  totpUnopenable: number;
}

export const emptyUserReport = (): UserReport => ({ created: 0, existing: 0, mappedByEmail: 0, clearedReferences: 0, totpResealed: 0, totpUnopenable: 0 });

export async function createUserMap(client: Queryable) {
  await client.query(`create temp table archive_users (
    archive_id uuid primary key, target_id uuid, created boolean not null) on commit drop`);
}

/** Member accounts: keep, map by email, or create. */
export async function restoreUsers(client: Queryable, columns: string[], lines: string[], report: UserReport) {
  const cols = columns.map(quoteIdent).join(", ");
  const { rows } = await client.query<{ created: number; existing: number; mapped: number }>(
    `with r as (select x.* from jsonb_array_elements($1::jsonb) e(v) cross join lateral jsonb_populate_record(null::public.users, e.v) x),
     matched as (
       select r.id as archive_id, coalesce(by_id.id, by_email.id) as target_id
         from r left join public.users by_id on by_id.id = r.id left join public.users by_email on by_email.email = r.email),
     created as (
       insert into public.users as target (${cols}) select ${columns.map((c) => `r.${quoteIdent(c)}`).join(", ")}
         from r where r.id in (select archive_id from matched where target_id is null)
       returning target.id),
     mapped as (insert into pg_temp.archive_users (archive_id, target_id, created)
       select archive_id, coalesce(target_id, archive_id), target_id is null from matched returning *)
     select count(*) filter (where created)::int as created,
            count(*) filter (where not created and target_id = archive_id)::int as existing,
            count(*) filter (where target_id <> archive_id)::int as mapped
       from mapped`,
    [`[${lines.join(",")}]`],
  );
  report.created += rows[0].created;
  report.existing += rows[0].existing;
  report.mappedByEmail += rows[0].mapped;
}

/** Users the rows only name: keep, map by email, or clear (target null). */
export async function restoreUserRefs(client: Queryable, lines: string[], report: UserReport) {
  const { rows } = await client.query<{ cleared: number; mapped: number }>(
    `with m as (
       insert into pg_temp.archive_users (archive_id, target_id, created)
       select r.id, coalesce(by_id.id, by_email.id), false
         from jsonb_to_recordset($1::jsonb) r(id uuid, email text)
         left join public.users by_id on by_id.id = r.id left join public.users by_email on by_email.email = r.email
       returning *)
     select count(*) filter (where target_id is null)::int as cleared, count(*) filter (where target_id <> archive_id)::int as mapped from m`,
    [`[${lines.join(",")}]`],
  );
  report.clearedReferences += rows[0].cleared;
  report.mappedByEmail += rows[0].mapped;
}

/** Whether any archive user id becomes another id (or null) here: only then do rows need rewriting. */
export async function userMapChanged(client: Queryable): Promise<boolean> {
  const { rows } = await client.query<{ changed: boolean }>(
    "select exists (select 1 from pg_temp.archive_users where target_id is distinct from archive_id) as changed",
  );
  return rows[0].changed;
}

/** SQL for a column holding a user id: the id this deployment knows that user by, or null. */
export const mappedUser = (column: string) =>
  `(select m.target_id from pg_temp.archive_users m where m.archive_id = r.${quoteIdent(column)})`;

/** Second factor and recovery codes: only for accounts this restore created. */
export const forCreatedUsers = "r.user_id in (select archive_id from pg_temp.archive_users where created)";

/**
 * A user_mfa row as it should be written here: its sealed TOTP secret as is
 * when this deployment's key opens it, else re-sealed from the copy the
 * archive carries wrapped under the transfer key, else as is (counted).
 */
export function mfaRowForHere(
  line: string,
  wrapped: string | undefined,
  keys: { here: Buffer | null; archiveTotp: Buffer },
  report: UserReport,
): string {
  if (!keys.here) return line; // this process has no NEXTAUTH_SECRET: cannot check, nor re-seal
  const row = JSON.parse(line) as { user_id: string; totp_secret: string };
  try {
    openTotpSecret(row.user_id, row.totp_secret, keys.here).fill(0);
    return line;
  } catch {
    if (!wrapped) {
      report.totpUnopenable++;
      return line;
    }
  }
  const secret = unwrapSecret(keys.archiveTotp, totpAad(row.user_id), wrapped);
  row.totp_secret = sealTotpSecret(row.user_id, secret, keys.here);
  secret.fill(0);
  report.totpResealed++;
  return JSON.stringify(row);
}
