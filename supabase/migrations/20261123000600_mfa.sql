-- Multi-factor authentication: TOTP (RFC 6238) with single-use recovery codes.
--
-- Secrets. user_mfa.totp_secret is the TOTP key sealed by the app with
-- AES-256-GCM (key derived from NEXTAUTH_SECRET with HKDF, the user id as
-- additional data: lib/auth/mfa-crypto.ts), never plaintext. Recovery codes are
-- stored only as SHA-256 hashes of 80-bit random codes.
--
-- Access. Neither table is granted to anon or authenticated at all: the app
-- reads and writes them only through the named service-role path "auth.mfa"
-- (lib/auth/mfa.ts), because sign-in needs them before any user is known.
-- RLS is enabled and forced with no policy, so even a grant added by mistake
-- (Supabase's default privileges grant new tables to anon and authenticated,
-- hence the explicit revoke) would show no row.
--
-- Brute force and replay. failed_count / locked_until lock the second factor
-- for a while after repeated wrong codes (counted per user, across sign-in and
-- the account page); last_used_step is the newest TOTP time step accepted, and
-- no code of that step or an older one is accepted again.
--
-- Policy. tenants.require_mfa makes MFA mandatory for every member of that
-- tenant's subtree (and of its ancestors, who can read its data). MSSP roles
-- always require it (lib/auth/mfa.ts: mfaRequired).

alter table public.tenants
  add column require_mfa boolean not null default false;
comment on column public.tenants.require_mfa is
  'Members of this tenant, its sites and its ancestors must use two-step verification.';

create table public.user_mfa (
  user_id          uuid primary key references public.users (id) on delete cascade,
  -- v1.<base64url(iv | ciphertext | tag)>; see lib/auth/mfa-crypto.ts.
  totp_secret      text not null check (totp_secret ~ '^v[0-9]+\.[A-Za-z0-9_-]+$'),
  -- Null while enrolment is pending: the secret was shown, no code confirmed yet.
  confirmed_at     timestamptz,
  last_used_step   bigint check (last_used_step >= 0),
  failed_count     integer not null default 0 check (failed_count >= 0),
  locked_until     timestamptz,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now()
);

create table public.user_recovery_codes (
  user_id      uuid not null references public.users (id) on delete cascade,
  -- sha256 hex of a domain-separated "user id : code".
  code_hash    text not null check (code_hash ~ '^[0-9a-f]{64}$'),
  used_at      timestamptz,
  created_at   timestamptz not null default now(),
  primary key (user_id, code_hash)
);

create trigger user_mfa_touch before update on public.user_mfa
  for each row execute function tenancy.touch_updated_at();

revoke all on public.user_mfa, public.user_recovery_codes from public, anon, authenticated;
grant select, insert, update, delete on public.user_mfa, public.user_recovery_codes to service_role;

alter table public.user_mfa enable row level security;
alter table public.user_mfa force row level security;
alter table public.user_recovery_codes enable row level security;
alter table public.user_recovery_codes force row level security;
