// Every email the portal sends, as a small typed function: data in, subject
// and bodies out. Values are escaped for the HTML part; nothing here logs.
// A template's name is stored on the outbox row (never its secrets: bodies
// are erased once sent, lib/mail/deliver.ts). Subjects are kept on the row,
// so they never carry a code or a link.
import { formatTimeWithZone } from "@/lib/locale/time";

export interface RenderedMail {
  template: string;
  subject: string;
  text: string;
  html: string;
  /** The From display name: the brand's sender name (lib/branding); absent: MAIL_FROM's. */
  fromName?: string;
  /** The brand hides the MSSP's: sent from MAIL_NEUTRAL_FROM's address, not MAIL_FROM's (lib/mail/deliver.ts). */
  hideMssp?: boolean;
}

/**
 * What an email shows of the recipient tenant's brand (lib/branding Brand has
 * these fields; lib/branding/resolve.ts brandOfTenant loads it): the product name
 * in the subject and footer, the button colours, the support address and the
 * From display name. Absent: the MSSP portal's own (console mails).
 */
export interface MailBrand {
  productName: string;
  emailSenderName: string;
  supportEmail: string;
  palette: { primary: string; onPrimary: string };
  /** "Hide the MSSP's brand" (Brand.hideMsspBrand): the mail must carry no MSSP domain either (MAIL_NEUTRAL_FROM). */
  hideMsspBrand?: boolean;
}
const HEX = /^#[0-9a-f]{6}$/;
/** The MSSP's own brand: what a mail without a tenant's brand shows (the registry defaults, lib/branding). */
const PORTAL = { name: "the MSSP portal", primary: "#4f46e5", onPrimary: "#fff" } as const;

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The product a mail names (subject, text): the brand's, else the MSSP portal's. */
const productOf = (brand?: MailBrand) => brand?.productName || PORTAL.name;

/** The brand's From display name, and whether the sender address must be the neutral one, spread into a RenderedMail (absent: MAIL_FROM's). */
const fromOf = (brand?: MailBrand): Pick<RenderedMail, "fromName" | "hideMssp"> => ({
  ...(brand?.emailSenderName ? { fromName: brand.emailSenderName } : {}),
  ...(brand?.hideMsspBrand ? { hideMssp: true } : {}),
});

/** The plain-text footer: which product sent it and the brand's support address. */
function textFooter(brand?: MailBrand): string {
  return ["", "--", `Sent by ${productOf(brand)}.${brand?.supportEmail ? ` Questions: ${brand.supportEmail}.` : ""}`].join("\n");
}

/**
 * The one HTML layout of every mail: title, paragraphs, an optional code and
 * button, and a footer, in the recipient tenant's brand. Colours only as
 * validated hex (lib/branding), the button's text colour derived from it;
 * every text escaped.
 */
function layout(title: string, paragraphs: string[], opts: { action?: { label: string; href: string }; code?: string; brand?: MailBrand } = {}): string {
  const { action, code, brand } = opts;
  const body = paragraphs.map((p) => `<p style="margin:0 0 12px">${esc(p)}</p>`).join("");
  const bg = brand && HEX.test(brand.palette.primary) ? brand.palette.primary : PORTAL.primary;
  const fg = brand && HEX.test(brand.palette.primary) && HEX.test(brand.palette.onPrimary) ? brand.palette.onPrimary : PORTAL.onPrimary;
  const button = action
    ? `<p style="margin:20px 0"><a href="${esc(action.href)}" style="background:${bg};color:${fg};padding:10px 16px;border-radius:8px;text-decoration:none">${esc(action.label)}</a></p>`
    : "";
  const footer = `Sent by ${esc(productOf(brand))}.${brand?.supportEmail ? ` Questions: ${esc(brand.supportEmail)}.` : ""} If you did not expect this email, you can ignore it.`;
  const codeBlock = code
    ? `<p style="margin:20px 0;font-size:28px;letter-spacing:6px;font-family:monospace;font-weight:600">${esc(code)}</p>`
    : "";
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a;max-width:560px;margin:0 auto;padding:24px">
<h1 style="font-size:18px;margin:0 0 16px">${esc(title)}</h1>${body}${codeBlock}${button}
<p style="margin:24px 0 0;color:#64748b;font-size:12px">${footer}</p>
</body></html>`;
}

const ROLE_NAMES: Record<string, string> = {
  mssp_admin: "MSSP admin",
  mssp_analyst: "MSSP analyst",
  tenant_admin: "Admin",
  tenant_analyst: "Analyst",
  tenant_viewer: "Viewer",
};

/** `timeZone`: the invited tenant's locale.time_zone, so the link's end reads on the clock of the portal it opens. */
export function invitationMail(d: { tenantName: string; role: string; link: string; expiresAt: Date; timeZone: string; brand?: MailBrand }): RenderedMail {
  const role = ROLE_NAMES[d.role] ?? d.role;
  const until = formatTimeWithZone(d.expiresAt, d.timeZone, "full");
  return {
    template: "team.invitation",
    ...fromOf(d.brand),
    subject: `You're invited to join ${d.tenantName} on ${productOf(d.brand)}`,
    text: [
      `You have been invited to join ${d.tenantName} as ${role}.`,
      "",
      `Open this link to accept (it works until ${until}):`,
      d.link,
      "",
      "The page will email you a one-time code to confirm this address before your access is set up.",
      textFooter(d.brand),
    ].join("\n"),
    html: layout(
      `Join ${d.tenantName}`,
      [`You have been invited to join ${d.tenantName} as ${role}.`, `The link works until ${until}. The page will email you a one-time code to confirm this address before your access is set up.`],
      { action: { label: "Accept the invitation", href: d.link }, brand: d.brand },
    ),
  };
}

export function invitationCodeMail(d: { tenantName: string; code: string; minutes: number; brand?: MailBrand }): RenderedMail {
  return {
    template: "team.invitation-code",
    ...fromOf(d.brand),
    subject: `Your code to join ${d.tenantName}`,
    text: [`Your code to accept the invitation to ${d.tenantName}:`, "", `    ${d.code}`, "", `It works once, for ${d.minutes} minutes.`, textFooter(d.brand)].join("\n"),
    html: layout(`Your code to join ${d.tenantName}`, [`Enter this code on the invitation page. It works once, for ${d.minutes} minutes.`], { code: d.code, brand: d.brand }),
  };
}

/** `brand`: the brand of the host the reset was asked on (its sign-in page). */
export function passwordResetMail(d: { code: string; minutes: number; resetUrl: string; brand?: MailBrand }): RenderedMail {
  const asked = `Someone (hopefully you) asked to reset the password of the ${productOf(d.brand)} account for this address.`;
  return {
    template: "account.password-reset",
    ...fromOf(d.brand),
    subject: "Your password reset code",
    text: [
      asked,
      "",
      `Your code:    ${d.code}`,
      "",
      `Enter it at ${d.resetUrl} within ${d.minutes} minutes. It works once.`,
      "If you did not ask for this, ignore this email: your password stays as it is.",
      textFooter(d.brand),
    ].join("\n"),
    html: layout(
      "Reset your password",
      [asked, `Enter this code within ${d.minutes} minutes. It works once. If you did not ask for this, ignore this email: your password stays as it is.`],
      { action: { label: "Open the reset page", href: d.resetUrl }, code: d.code, brand: d.brand },
    ),
  };
}

/**
 * Two-step verification went recovery-only after `failures` wrong codes in a row (lib/auth/mfa.ts),
 * at sign-in or on the account page. No link: the reader signs in where they always do.
 */
export function mfaLockedMail(d: { failures: number; where: "sign-in" | "account"; brand?: MailBrand }): RenderedMail {
  const what =
    d.where === "sign-in"
      ? `Someone entered the right password of your ${productOf(d.brand)} account, then ${d.failures} wrong authentication codes in a row. Someone else may know your password.`
      : `${d.failures} wrong authentication codes in a row were entered on the two-step verification page of your ${productOf(d.brand)} account, from a signed-in session. Someone else may be signed in as you.`;
  const next =
    d.where === "sign-in"
      ? "Authenticator app codes are no longer accepted at sign-in: sign in with one of your recovery codes, then change your password. If you have no recovery code left, contact support."
      : "Authenticator app codes are no longer accepted on that page: use one of your recovery codes there. Change your password, which also signs every other session out.";
  return {
    template: "account.mfa-locked",
    ...fromOf(d.brand),
    subject: "Two-step verification locked on your account",
    text: [what, "", next, textFooter(d.brand)].join("\n"),
    html: layout("Two-step verification locked", [what, next], { brand: d.brand }),
  };
}

/** A workflow rule's notification about an alert (lib/notify), or a channel's test message. */
export function workflowAlertMail(d: {
  reason: "rule" | "escalation" | "test";
  tenantName: string;
  ruleName: string | null;
  alert: { title: string; severity: string; source: string; hostname: string | null; detectedAt: string } | null;
  link: string | null;
  brand?: MailBrand;
}): RenderedMail {
  if (d.reason === "test" || !d.alert) {
    const lines = [`This is a test of a notification channel of ${d.tenantName}.`, "Alerts routed by its workflow rules will arrive like this."];
    return {
      template: "workflows.test",
      ...fromOf(d.brand),
      subject: `Test notification from ${productOf(d.brand)} (${d.tenantName})`,
      text: [...lines, textFooter(d.brand)].join("\n"),
      html: layout("Test notification", lines, { brand: d.brand }),
    };
  }
  const a = d.alert;
  const what = d.reason === "escalation" ? "Escalated: not acknowledged in time" : "New alert routed to you";
  const lines = [
    `${what} — ${d.tenantName}`,
    `Alert: ${a.title}`,
    `Severity: ${a.severity}`,
    `Source: ${a.source}${a.hostname ? ` · host ${a.hostname}` : ""}`,
    `Detected: ${a.detectedAt}`,
    d.ruleName ? `Rule: ${d.ruleName}` : "",
  ].filter(Boolean);
  return {
    template: d.reason === "escalation" ? "workflows.escalation" : "workflows.alert",
    ...fromOf(d.brand),
    subject: `[${a.severity.toUpperCase()}] ${d.reason === "escalation" ? "Escalated: " : ""}${a.title}`.slice(0, 300),
    text: [...lines, ...(d.link ? ["", `Open it: ${d.link}`] : []), textFooter(d.brand)].join("\n"),
    html: layout(what, lines.slice(1), { action: d.link ? { label: "Open the alert", href: d.link } : undefined, brand: d.brand }),
  };
}

/** A tenant's health changed (lib/health): from, to, and the reasons. */
export function healthChangeMail(d: { tenantName: string; from: string; to: string; reasons: string[]; at: string; link: string | null; brand?: MailBrand }): RenderedMail {
  const what = `${d.tenantName} is now ${d.to} (was ${d.from})`;
  const lines = [`Changed at ${d.at}.`, ...(d.reasons.length ? d.reasons.map((r) => `Reason: ${r}`) : ["Every signal is ok."])];
  return {
    template: "health.changed",
    ...fromOf(d.brand),
    subject: `[HEALTH] ${what}`.slice(0, 300),
    text: [what, ...lines, ...(d.link ? ["", `Open it: ${d.link}`] : []), textFooter(d.brand)].join("\n"),
    html: layout(what, lines, { action: d.link ? { label: "Open the health page", href: d.link } : undefined, brand: d.brand }),
  };
}

/** A scheduled report is ready (lib/reports): a link to it, never the file (sign-in, RLS and the PDP still decide). */
export function reportReadyMail(d: { tenantName: string; reportName: string; period: string; link: string; brand?: MailBrand }): RenderedMail {
  const what = `${d.reportName} for ${d.tenantName} is ready`;
  const lines = [`Period: ${d.period} (UTC).`, "Sign in to download it; the link works for people who may export this tenant's reports."];
  return {
    template: "reports.ready",
    ...fromOf(d.brand),
    subject: `[REPORT] ${what}`.slice(0, 300),
    text: [what, ...lines, "", `Download it: ${d.link}`, textFooter(d.brand)].join("\n"),
    html: layout(what, lines, { action: { label: "Open the report", href: d.link }, brand: d.brand }),
  };
}

/** A report schedule was paused (lib/reports/pause.ts): which, why, and where to resume it. */
export function reportSchedulePausedMail(d: { tenantName: string; schedule: string; reason: string; link: string; brand?: MailBrand }): RenderedMail {
  const what = `A report schedule for ${d.tenantName} is paused`;
  const lines = [
    `${d.schedule}: paused because ${d.reason}.`,
    "No report is made for it while it is paused. Someone who may export this tenant's reports can resume it on the Reports page; it then runs as them.",
  ];
  return {
    template: "reports.schedule-paused",
    ...fromOf(d.brand),
    subject: `[REPORT] ${what}`.slice(0, 300),
    text: [what, ...lines, "", `Open the Reports page: ${d.link}`, textFooter(d.brand)].join("\n"),
    html: layout(what, lines, { action: { label: "Open the Reports page", href: d.link }, brand: d.brand }),
  };
}
