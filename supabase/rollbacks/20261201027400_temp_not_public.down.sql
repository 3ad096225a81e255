-- Rollback of 20261201027400_temp_not_public: TEMPORARY for PUBLIC again (Postgres's default), and
-- service_role's own grant removed (PUBLIC's covers it).
do $$
begin
  execute format('grant temporary on database %I to public', current_database());
  execute format('revoke temporary on database %I from service_role', current_database());
end
$$;
