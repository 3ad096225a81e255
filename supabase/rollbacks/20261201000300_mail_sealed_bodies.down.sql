-- Rollback of 20261201000300_mail_sealed_bodies: back to plaintext body
-- columns. Sealed bodies cannot be opened in SQL, so messages still queued
-- fail with a reason that says to send them again.
alter table mail.outbox add column body_text text, add column body_html text;
update mail.outbox
   set status = 'failed', failed_at = now(),
       last_error = 'queued while mail bodies were sealed (rolled back 20261201000300): send it again'
 where status = 'queued';
alter table mail.outbox drop column body_sealed;
