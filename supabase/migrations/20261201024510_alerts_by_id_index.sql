-- An alert by its id alone (issue 13, point 7: the alert detail page, npm run bench -- --only=9,10).
-- The detail page's URL names only the alert (/console/alerts/<id>, /alerts/<id> on a tenant host);
-- the primary key is (tenant_id, id), so finding the row meant one probe per visible tenant as the
-- owner (~1,600 for an MSSP admin: 1.7 ms at 200,000 alerts), and through RLS, where the planner
-- cannot size the policy's tenant array, a walk over every visible alert of another index until the
-- id turned up (31,375 rows, 40 ms at 200,000 alerts; it grows with the table). With this index both
-- read one index entry and check its tenant: 0.2 ms as the owner; through RLS what remains is the
-- policy's visible-tenant array itself.
create index alerts_id on public.alerts (id);
