-- Rollback of 20261201029910_email_delivery_max_attempts: before it, every email delivery row held
-- the column's default (6), whatever its outbox message's maximum.
update public.notification_deliveries
   set max_attempts = 6
 where kind = 'email'
   and max_attempts <> 6;
