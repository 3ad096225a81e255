-- Rollback of 20261201027800_domains_reserved_when_routed: a domain is unique
-- across every tenant again, whatever its status. Fails if two tenants now hold
-- rows of one domain (one routed, others pending): remove the unrouted ones first.
drop index public.custom_domains_domain;
drop index public.custom_domains_tenant_domain;
drop index public.custom_domains_domain_routed;
create unique index custom_domains_domain on public.custom_domains (domain);
