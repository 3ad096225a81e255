-- Rollback of 20261201031600_offboard_health_deliveries_index.
drop index public.notification_deliveries_health;
