-- A custom domain is reserved by the portal that proved it, not by the first to type it.
--
-- custom_domains.domain was unique across every tenant whatever the row's status,
-- and the portal refused a domain (or a look-alike of it) any other tenant had
-- added: an admin of any tenant, under any MSSP, could add "soc.acme.com", or a
-- homograph of it, without owning it, and its pending row (never verified, never
-- removed) blocked the real owner for good, out of reach of the owner's MSSP.
-- Now only a routed row (verified, or in its grace period) reserves the name:
-- unique among routed rows, and unique per tenant. lib/domains/store.ts routes a
-- verified domain only when no other tenant's routed row holds it or a look-alike.
drop index public.custom_domains_domain;
create unique index custom_domains_domain_routed on public.custom_domains (domain) where status in ('verified', 'grace');
create unique index custom_domains_tenant_domain on public.custom_domains (tenant_id, domain);
create index custom_domains_domain on public.custom_domains (domain);
