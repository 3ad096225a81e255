// lib/mail: the email outbox every feature sends through (docs/email.md).
//   enqueueMail(db, { to, tenantId?, message })   queue in the caller's transaction
//   invitationMail / invitationCodeMail / passwordResetMail / mfaLockedMail …   the templates
//   issueCode / checkCode                          one-time codes proving mailbox control
//   registerMailDelivery / deliverOne              the graphile-worker task "mail:deliver"
//   mailSettings                                   SMTP settings from the environment
export { enqueueMail, outboxStatus, recipientSchema, type EnqueueMailInput, type OutboxStatus, type QueuedMail } from "./outbox";
export { healthChangeMail, invitationCodeMail, invitationMail, mfaLockedMail, passwordResetMail, reportReadyMail, reportSchedulePausedMail, workflowAlertMail, type MailBrand, type RenderedMail } from "./templates";
export { checkCode, CODE_MAX_ATTEMPTS, CODE_TTL_MINUTES, codePattern, issueCode, normaliseCode, pruneCodes, type CodeCheck, type CodePurpose } from "./codes";
export { mailSettings, type MailSettings } from "./config";
