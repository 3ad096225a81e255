-- A look-alike custom domain routes with its MSSP's approval (lib/domains/store.ts).
--
-- A domain whose confusable skeleton (lib/domains/skeleton.ts) matched a name
-- another tenant routed could neither be added nor start routing, so the first
-- tenant to verify a look-alike (blgcorp.com) blocked the real owner of
-- bigcorp.com for good, correct DNS records or not. Now such an entry routes
-- once its TXT record proves it if the tenant's MSSP approved it: staff who may
-- manage domains on the MSSP approve it by adding it for the tenant (recorded
-- here, and in the audit trail). A tenant admin still cannot add a look-alike,
-- and an unapproved one is held at verification (last_check 'look_alike').
alter table public.custom_domains
  -- Who approved it: null once their account is deleted, when lookalike_approved_at still says it was.
  add column lookalike_approved_by uuid references public.users (id) on delete set null,
  add column lookalike_approved_at timestamptz;
