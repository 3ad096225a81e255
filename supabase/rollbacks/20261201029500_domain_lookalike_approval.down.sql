-- Rollback of 20261201029500_domain_lookalike_approval: look-alike approvals
-- are forgotten; a look-alike of a routed name is refused at add and held at
-- verification again, whoever approved it.
alter table public.custom_domains
  drop column if exists lookalike_approved_at,
  drop column if exists lookalike_approved_by;
