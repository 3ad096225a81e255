-- Rollback of 20261201033200_report_content_after_the_pdp: `authenticated` reads every column of
-- public.reports again, its content included (under the same policy).
revoke select on public.reports from authenticated;
grant select on public.reports to authenticated;
