-- Rollback of 20261201029900_notification_channels_per_tenant: a tenant may hold any number of channels again.
drop trigger notification_channels_limit on public.notification_channels;
drop function workflows.refuse_past_channel_limit();
