-- Rollback of 20261201030100_audit_record_function: `authenticated` inserts
-- into public.audit_log directly again, under the policy as 20261201027000
-- (policy_arrays) left it, and audit.record goes.
create policy "Users record their own actions in tenants they can see"
  on public.audit_log for insert to authenticated
  with check (
    actor_id = (select auth.uid())
    and tenant_id = any ((select tenancy.visible_ids())::uuid[])
  );
grant insert on public.audit_log to authenticated;

revoke usage on schema audit from authenticated;
drop function audit.record(uuid, text, text, text, text, jsonb, text);
