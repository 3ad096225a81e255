-- Rollback of 20261123000000_supabase_compat. Deliberately leaves the roles,
-- the auth schema and the extensions in place: on Supabase they belong to the
-- platform, and on plain Postgres other databases in the cluster may use the
-- roles. Only the default-privilege change is undone.
alter default privileges in schema public grant execute on functions to public;
