-- At most 50 notification channels per tenant.
--
-- Why: nothing bounded them, and each channel is a target the portal sends to on the tenant's behalf
-- ("Send test", rules, escalations): 200 webhooks at an endpoint that never answers hold the single
-- job worker for minutes per click, and an email channel mails up to 20 addresses. The cap bounds
-- what one admin can make the portal do; "Send test" has its own rate limit
-- (lib/notify/test-limit.ts, the shared lib/ratelimit buckets).
--
-- How: as workflows.refuse_past_rule_limit (migration 20261201029420): a BEFORE INSERT trigger takes
-- a transaction-level advisory lock for the tenant's channels, then counts them; the 51st is refused
-- (SQLSTATE 54000, hint channel_limit). The lock makes two concurrent inserts take turns. Every writer
-- but the service role (a restored archive writes a tenant's channels back as they were).
-- lib/notify/channels.ts CHANNELS_PER_TENANT is the same number and turns the refusal into the
-- form's message (tests/workflows-channel-limits.test.ts checks both).

create function workflows.refuse_past_channel_limit() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  max_channels constant integer := 50;
begin
  if current_setting('role') = 'service_role' then
    return new;
  end if;
  perform pg_advisory_xact_lock(hashtext('notification_channels'), hashtext(new.tenant_id::text));
  if (select count(*) from public.notification_channels c where c.tenant_id = new.tenant_id) >= max_channels then
    raise exception 'this tenant already has % notification channels, the most it may have', max_channels
      using errcode = '54000', hint = 'channel_limit';
  end if;
  return new;
end
$$;
revoke all on function workflows.refuse_past_channel_limit() from public, anon, authenticated, service_role, portal_app;

create trigger notification_channels_limit before insert on public.notification_channels
  for each row execute function workflows.refuse_past_channel_limit();
