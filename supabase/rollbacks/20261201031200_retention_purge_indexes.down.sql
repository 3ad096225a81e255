-- Rollback of 20261201031200_retention_purge_indexes.
drop index public.notification_deliveries_mail;
drop index public.notification_deliveries_alert;
drop index public.alerts_tenant_created;
