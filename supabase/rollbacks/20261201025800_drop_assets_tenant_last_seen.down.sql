-- Rollback of 20261201025800_drop_assets_tenant_last_seen: the index as 20261123000300 made it.
create index if not exists assets_tenant_last_seen on public.assets (tenant_id, last_seen_at desc);
