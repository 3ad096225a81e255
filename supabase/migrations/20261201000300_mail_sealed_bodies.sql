-- Mail bodies are sealed by the application before they reach SQL (lib/mail/seal.ts).
--
-- Why: a body holds a live link or code (an invitation token, a reset code).
-- Stored as text, it was an INSERT parameter, and parameters reach the
-- statement log (log_statement, auto_explain, log_min_duration_statement),
-- replicas and backups. Now the database only ever sees AES-256-GCM
-- ciphertext bound to the row id; the delivering worker opens it and erases it
-- once the message is sent or failed for good.
alter table mail.outbox
  add column body_sealed bytea check (body_sealed is null or length(body_sealed) between 30 and 1048576);

-- Messages still queued in the old form cannot be sealed by SQL (the key lives
-- in the application): they fail with a reason that says to send them again.
update mail.outbox
   set status = 'failed', failed_at = now(),
       last_error = 'queued before mail bodies were sealed (migration 20261201000300): send it again',
       body_text = null, body_html = null
 where status = 'queued';

alter table mail.outbox drop column body_text, drop column body_html;

comment on column mail.outbox.body_sealed is
  'The text and HTML bodies, sealed by lib/mail/seal.ts (never plaintext in SQL); null once sent or failed.';
