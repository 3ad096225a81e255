-- An email delivery's maximum attempts are its outbox message's.
--
-- Why: an email delivery's attempts are read from its mail.outbox message (default max 8), but its
-- max from the delivery row (default 6), so the page showed "attempt 7 of 6". lib/notify/queue.ts
-- now writes the outbox's maximum on the row (MAIL_MAX_ATTEMPTS); this brings rows written before
-- into line. Only email rows with an outbox message; webhook rows keep their own (deliver.ts).
update public.notification_deliveries d
   set max_attempts = o.max_attempts
  from mail.outbox o
 where d.kind = 'email'
   and d.mail_id = o.id
   and d.max_attempts <> o.max_attempts;
