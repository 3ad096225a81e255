// Deterministic demo data: the same seed and `now` always give the same rows.
// Pure (no I/O, no dependencies): seed.ts writes what this returns.
//
// The data is skewed the way a real MSSP book of business is:
//  - customers differ by orders of magnitude in volume (Acme and Globex are
//    big, Hooli is tiny), and sites carry their own assets and alerts;
//  - severities are mostly low/info with a thin tail of criticals, and
//    Initech has no open criticals at all;
//  - recent alerts are open (new/acknowledged/in progress), older ones resolved or
//    closed as false positives; activity rises towards `now` and follows
//    business hours;
//  - a few hosts are noisy, one detection is noisy at the Globex lab, and
//    Umbrella North has an intrusion in progress (a burst of related
//    high/critical alerts on three hosts in the last hours).
import type { AlertStatus, Severity } from "@/drizzle/schema";
import { DEMO_TENANTS, demoTenantLineage } from "./tenants";
import { DEMO_USERS } from "./users";

export const DEMO_SEED = 20261123;
export const DEMO_WINDOW_DAYS = 30;

export type AssetKind = "workstation" | "server" | "network" | "cloud" | "mobile";
export type AssetCriticality = "critical" | "high" | "medium" | "low";
export type AlertSource = "crowdstrike" | "sentinelone" | "defender" | "splunk" | "okta" | "aws-guardduty";

export interface DemoAsset {
  id: string;
  tenantSlug: string;
  hostname: string;
  ipAddress: string | null;
  os: string;
  kind: AssetKind;
  criticality: AssetCriticality;
  ownerEmail: string | null;
  lastSeenAt: Date | null;
  createdAt: Date;
}

export interface DemoAlert {
  id: string;
  tenantSlug: string;
  title: string;
  description: string;
  severity: Severity;
  status: AlertStatus;
  source: AlertSource;
  ruleName: string;
  /** An asset of the same tenant, or null (identity/cloud-account detections, unmanaged hosts). */
  assetId: string | null;
  hostname: string | null;
  sourceIp: string | null;
  /** A demo user whose membership covers the alert's tenant, or null. */
  assigneeEmail: string | null;
  detectedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  /** When someone first acknowledged it; null while new. */
  acknowledgedAt: Date | null;
}

export interface DemoData {
  assets: DemoAsset[];
  alerts: DemoAlert[];
}

// ---------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------

/** mulberry32: small, fast, good enough for demo data; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(readonly next: () => number) {}
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1][0];
  }
  /** Index in [0, n) skewed towards 0: a few items get most of the picks. */
  skewedIndex(n: number, power = 1.6): number {
    return Math.min(n - 1, Math.floor(n * Math.pow(this.next(), power)));
  }
  /** A v4-shaped UUID drawn from the stream (deterministic). */
  uuid(): string {
    const b: number[] = [];
    for (let i = 0; i < 16; i++) b.push(Math.floor(this.next() * 256));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = b.map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

// ---------------------------------------------------------------------------
// Tenant profiles
// ---------------------------------------------------------------------------

interface TenantProfile {
  assets: number;
  alerts: number;
  hostPrefix: string;
  domain: string;
  /** Second octet of the tenant's 10.x.0.0/16. */
  subnet: number;
  /** UTC offset of the site, for the business-hours pattern. */
  utcOffset: number;
  stack: readonly AlertSource[];
  kinds: readonly (readonly [AssetKind, number])[];
  /** Multiplies the weight of the named detections (by title). */
  noisyRules?: Readonly<Record<string, number>>;
  /** Every critical alert of this tenant is closed. */
  noOpenCritical?: boolean;
  /** An intrusion in progress: related alerts on a few hosts in the last hours. */
  incident?: { withinHours: number; hosts: number; alerts: number };
}

const OFFICE: TenantProfile["kinds"] = [
  ["workstation", 62],
  ["server", 16],
  ["cloud", 10],
  ["network", 7],
  ["mobile", 5],
];
const ON_PREM: TenantProfile["kinds"] = [
  ["workstation", 66],
  ["server", 20],
  ["network", 8],
  ["mobile", 6],
];

const PROFILES: Readonly<Record<string, TenantProfile>> = {
  acme: {
    assets: 150, alerts: 1100, hostPrefix: "acme", domain: "acme-corp.example", subnet: 10, utcOffset: -5,
    stack: ["crowdstrike", "okta", "splunk", "aws-guardduty"], kinds: OFFICE,
  },
  "acme-eu-west": {
    assets: 45, alerts: 300, hostPrefix: "acme-euw", domain: "acme-corp.example", subnet: 11, utcOffset: 1,
    stack: ["crowdstrike", "okta", "splunk"], kinds: ON_PREM,
  },
  "acme-us-east": {
    assets: 60, alerts: 420, hostPrefix: "acme-use", domain: "acme-corp.example", subnet: 12, utcOffset: -5,
    stack: ["crowdstrike", "okta", "splunk", "aws-guardduty"], kinds: OFFICE,
  },
  globex: {
    assets: 110, alerts: 800, hostPrefix: "globex", domain: "globex.example", subnet: 20, utcOffset: -8,
    stack: ["defender", "splunk", "okta"], kinds: OFFICE,
  },
  "globex-hq": {
    assets: 35, alerts: 230, hostPrefix: "globex-hq", domain: "globex.example", subnet: 21, utcOffset: -8,
    stack: ["defender", "splunk", "okta"], kinds: ON_PREM,
  },
  "globex-lab": {
    assets: 25, alerts: 310, hostPrefix: "globex-lab", domain: "globex.example", subnet: 22, utcOffset: -8,
    stack: ["sentinelone", "splunk"],
    kinds: [["workstation", 55], ["server", 30], ["network", 15]],
    // Researchers install everything; the scanner box sweeps the lab nightly.
    noisyRules: { "Potentially unwanted application detected": 4, "Port scan from internal host": 3 },
  },
  "globex-dc": {
    assets: 40, alerts: 150, hostPrefix: "globex-dc", domain: "globex.example", subnet: 23, utcOffset: -6,
    stack: ["defender", "splunk"],
    kinds: [["server", 75], ["network", 25]],
  },
  initech: {
    assets: 40, alerts: 260, hostPrefix: "initech", domain: "initech.example", subnet: 30, utcOffset: -6,
    stack: ["defender", "okta"], kinds: ON_PREM, noOpenCritical: true,
  },
  umbrella: {
    assets: 50, alerts: 200, hostPrefix: "umbrella", domain: "umbrellahealth.example", subnet: 40, utcOffset: 0,
    stack: ["sentinelone", "okta", "splunk"], kinds: ON_PREM,
  },
  "umbrella-north": {
    assets: 20, alerts: 90, hostPrefix: "umbrella-n", domain: "umbrellahealth.example", subnet: 41, utcOffset: 0,
    stack: ["sentinelone", "splunk"], kinds: ON_PREM,
    incident: { withinHours: 9, hosts: 3, alerts: 38 },
  },
  "umbrella-south": {
    assets: 18, alerts: 70, hostPrefix: "umbrella-s", domain: "umbrellahealth.example", subnet: 42, utcOffset: 0,
    stack: ["sentinelone", "splunk"], kinds: ON_PREM,
  },
  hooli: {
    assets: 8, alerts: 25, hostPrefix: "hooli", domain: "hooli.example", subnet: 50, utcOffset: -8,
    stack: ["crowdstrike", "okta", "aws-guardduty"],
    kinds: [["workstation", 50], ["cloud", 40], ["network", 10]],
  },
  // A sixth customer: a tenant admin's anonymous benchmark needs five customers they cannot see.
  vandelay: {
    assets: 30, alerts: 140, hostPrefix: "vandelay", domain: "vandelay.example", subnet: 60, utcOffset: -5,
    stack: ["defender", "okta", "splunk"], kinds: OFFICE,
  },
};

// ---------------------------------------------------------------------------
// Detection catalog
// ---------------------------------------------------------------------------

type Target = "endpoint" | "server" | "cloud" | "network" | "host" | "identity" | "account";

interface Ctx {
  rng: Rng;
  host: string | null;
  ip: string | null;
  user: string;
  ext: string;
}

interface Rule {
  source: AlertSource;
  ruleName: string;
  title: string | ((rng: Rng) => string);
  severity: readonly (readonly [Severity, number])[];
  weight: number;
  target: Target;
  /** Share of closed alerts closed as false positives. */
  fp: number;
  describe: (c: Ctx) => string;
}

const MALWARE = [
  "Trojan:Win32/Emotet.RT!MTB",
  "Trojan:Script/Wacatac.B!ml",
  "HackTool:Win32/Mimikatz.D",
  "PUA:Win32/Presenoker",
  "Trojan:Win32/AgentTesla!ml",
  "Backdoor:Win32/CobaltStrike.F!dha",
  "Trojan:JS/Gootloader.A",
  "TrojanDownloader:O97M/Qakbot.RVB!MTB",
];
const PUA = ["AnyDesk", "uTorrent", "CCleaner bundle", "Advanced SystemCare", "WinRAR toolbar", "BitComet", "Nmap"];
const CITIES = [
  "Lagos, NG", "Bucharest, RO", "São Paulo, BR", "Hanoi, VN", "Moscow, RU", "Singapore, SG",
  "Amsterdam, NL", "Frankfurt, DE", "Ashburn, US", "Toronto, CA", "Mumbai, IN",
];
const C2_DOMAINS = ["cdn-update-check.example.net", "telemetry-svc.example.org", "img-cache01.example.com", "api-sync.example.net"];

const RULES: readonly Rule[] = [
  // CrowdStrike Falcon
  {
    source: "crowdstrike", ruleName: "CS IOA: EncodedPowerShellCommand (T1059.001)", title: "Suspicious PowerShell execution",
    severity: [["medium", 5], ["high", 3], ["critical", 0.15]], weight: 10, target: "endpoint", fp: 0.3,
    describe: (c) => `powershell.exe -NoP -W Hidden -Enc <base64, ${c.rng.int(400, 2400)} chars> launched by ${c.rng.pick(["winword.exe", "explorer.exe", "cmd.exe", "wscript.exe"])} under ${c.user} on ${c.host}.`,
  },
  {
    source: "crowdstrike", ruleName: "CS IOA: LsassMemoryAccess (T1003.001)", title: "Credential dumping from LSASS memory",
    severity: [["high", 3], ["critical", 1]], weight: 1.2, target: "endpoint", fp: 0.1,
    describe: (c) => `A process opened lsass.exe with PROCESS_VM_READ on ${c.host}; pattern matches comsvcs.dll MiniDump. Process blocked, credentials on this host should be considered exposed.`,
  },
  {
    source: "crowdstrike", ruleName: "CS ML: RansomwareFileEncryption (T1486)", title: "Ransomware behavior detected",
    severity: [["critical", 1]], weight: 0.15, target: "endpoint", fp: 0.05,
    describe: (c) => `${c.rng.int(40, 900)} files renamed with a new extension and high-entropy rewrites in under a minute on ${c.host}; volume shadow copies deletion attempted. Process tree killed, host network-contained.`,
  },
  {
    source: "crowdstrike", ruleName: "CS ML: SensorMLMalware (T1204.002)", title: "Malicious file quarantined",
    severity: [["low", 5], ["medium", 2]], weight: 9, target: "endpoint", fp: 0.15,
    describe: (c) => `Falcon quarantined ${c.rng.pick(["invoice_", "scan_", "payment_", "DHL_"])}${c.rng.int(1000, 9999)}.${c.rng.pick(["exe", "iso", "js", "lnk"])} in ${c.user}'s Downloads folder on ${c.host}. No execution observed.`,
  },
  {
    source: "crowdstrike", ruleName: "CS IOA: ScheduledTaskPersistence (T1053.005)", title: "Suspicious scheduled task created",
    severity: [["medium", 3], ["low", 2]], weight: 5, target: "host", fp: 0.35,
    describe: (c) => `schtasks.exe /create /sc onlogon /tn "${c.rng.pick(["OneDrive Update", "GoogleUpdateTaskUser", "Adobe Sync", "SysHealth"])}" pointing to a binary in %APPDATA% on ${c.host}.`,
  },
  {
    source: "crowdstrike", ruleName: "CS IOA: DiscoveryCommandBurst (T1087)", title: "Reconnaissance commands executed",
    severity: [["low", 3], ["info", 2], ["medium", 1]], weight: 6, target: "host", fp: 0.5,
    describe: (c) => `whoami /all, net group "domain admins" /domain and nltest /dclist run within ${c.rng.int(5, 50)} seconds by ${c.user} on ${c.host}.`,
  },
  // SentinelOne
  {
    source: "sentinelone", ruleName: "S1: PUA.Generic", title: "Potentially unwanted application detected",
    severity: [["info", 4], ["low", 3]], weight: 12, target: "endpoint", fp: 0.45,
    describe: (c) => `${c.rng.pick(PUA)} installer detected on ${c.host} (user ${c.user}). Mitigation: quarantine.`,
  },
  {
    source: "sentinelone", ruleName: "S1: Execution from user temp path", title: "Unsigned binary executed from temp directory",
    severity: [["medium", 3], ["low", 2]], weight: 6, target: "endpoint", fp: 0.35,
    describe: (c) => `Unsigned ${c.rng.pick(["setup", "update", "tmp", "installer"])}${c.rng.int(10, 99)}.exe executed from C:\\Users\\…\\AppData\\Local\\Temp on ${c.host}.`,
  },
  {
    source: "sentinelone", ruleName: "S1: Remote service creation via PsExec (T1569.002)", title: "Lateral movement via PsExec",
    severity: [["high", 3], ["medium", 1], ["critical", 0.2]], weight: 1.5, target: "host", fp: 0.2,
    describe: (c) => `PSEXESVC service installed on ${c.host} from ${c.ip ?? "an internal host"} using an administrative share (ADMIN$).`,
  },
  {
    source: "sentinelone", ruleName: "S1: Office application child process (T1204.002)", title: "Suspicious Office macro spawned command shell",
    severity: [["high", 2], ["medium", 2]], weight: 3, target: "endpoint", fp: 0.2,
    describe: (c) => `EXCEL.EXE spawned cmd.exe → powershell.exe on ${c.host} after ${c.user} opened an attachment from an external sender.`,
  },
  {
    source: "sentinelone", ruleName: "S1: Ransomware.Behavioral (T1486)", title: "Ransomware behavior detected",
    severity: [["critical", 1]], weight: 0.15, target: "endpoint", fp: 0.05,
    describe: (c) => `Behavioral AI detected mass file encryption on ${c.host}; ${c.rng.int(100, 3000)} files affected before the threat was killed. Rollback available.`,
  },
  // Microsoft Defender for Endpoint
  {
    source: "defender", ruleName: "MDE: Antivirus detection", title: (rng) => `Antivirus detection: ${rng.pick(MALWARE)}`,
    severity: [["low", 4], ["medium", 3], ["info", 1]], weight: 10, target: "endpoint", fp: 0.15,
    describe: (c) => `Microsoft Defender Antivirus detected and remediated a threat on ${c.host} (user ${c.user}).`,
  },
  {
    source: "defender", ruleName: "MDE: Office app spawned suspicious child (ASR)", title: "Suspicious Office macro spawned child process",
    severity: [["medium", 3], ["high", 2]], weight: 3, target: "endpoint", fp: 0.2,
    describe: (c) => `WINWORD.EXE launched rundll32.exe with a DLL written seconds earlier to %TEMP% on ${c.host}.`,
  },
  {
    source: "defender", ruleName: "MDE: ASR block - executable from email/webmail", title: "Attack surface reduction rule blocked execution",
    severity: [["low", 3], ["info", 3]], weight: 8, target: "endpoint", fp: 0.3,
    describe: (c) => `ASR rule "Block executable content from email client and webmail" blocked an attachment for ${c.user} on ${c.host}.`,
  },
  {
    source: "defender", ruleName: "MDE: Suspicious PowerShell command line", title: "Suspicious PowerShell execution",
    severity: [["medium", 4], ["high", 1]], weight: 6, target: "host", fp: 0.3,
    describe: (c) => `PowerShell downloaded and executed a script in memory (IEX (New-Object Net.WebClient).DownloadString) on ${c.host}.`,
  },
  {
    source: "defender", ruleName: "MDE: Possible credential dumping (LSASS)", title: "Credential dumping from LSASS memory",
    severity: [["high", 3], ["critical", 1]], weight: 1, target: "host", fp: 0.1,
    describe: (c) => `procdump-like access to LSASS memory on ${c.host}; dump file written to C:\\Windows\\Temp.`,
  },
  {
    source: "defender", ruleName: "MDE: Attempt to disable Microsoft Defender", title: "Tampering with Defender settings",
    severity: [["high", 2], ["medium", 1]], weight: 1, target: "host", fp: 0.25,
    describe: (c) => `Set-MpPreference -DisableRealtimeMonitoring $true attempted on ${c.host}; tamper protection blocked the change.`,
  },
  // Splunk ES correlation searches
  {
    source: "splunk", ruleName: "ESCU - Windows Multiple Failed Logons From Single Source - Rule", title: "Brute force authentication attempts",
    severity: [["medium", 3], ["low", 3]], weight: 8, target: "server", fp: 0.35,
    describe: (c) => `${c.rng.int(50, 900)} failed logons (event 4625) against ${c.host} from ${c.ext} across ${c.rng.int(3, 60)} accounts in 10 minutes.`,
  },
  {
    source: "splunk", ruleName: "ESCU - Outbound Traffic To Threat Intel C2 - Rule", title: "Outbound connection to known C2 infrastructure",
    severity: [["high", 3], ["critical", 0.6]], weight: 1.5, target: "endpoint", fp: 0.2,
    describe: (c) => `${c.host} (${c.ip ?? "unknown IP"}) beaconed to ${c.rng.pick(C2_DOMAINS)} (${c.ext}) every ${c.rng.int(30, 300)}s; destination listed in threat intel feed.`,
  },
  {
    source: "splunk", ruleName: "ESCU - Excessive Outbound Data Transfer - Rule", title: "Large data transfer to external host",
    severity: [["medium", 3], ["high", 1]], weight: 3, target: "host", fp: 0.4,
    describe: (c) => `${(c.rng.next() * 40 + 2).toFixed(1)} GB sent from ${c.host} to ${c.ext} over HTTPS in ${c.rng.int(1, 6)} hours (baseline < 200 MB).`,
  },
  {
    source: "splunk", ruleName: "ESCU - DNS Query Length Outliers - Rule", title: "DNS tunneling pattern detected",
    severity: [["medium", 2], ["high", 1]], weight: 1.5, target: "endpoint", fp: 0.45,
    describe: (c) => `${c.rng.int(300, 5000)} TXT queries with 60+ character labels from ${c.host} to a single newly registered domain.`,
  },
  {
    source: "splunk", ruleName: "ESCU - Internal Horizontal Port Scan - Rule", title: "Port scan from internal host",
    severity: [["low", 3], ["info", 2]], weight: 6, target: "host", fp: 0.4,
    describe: (c) => `${c.host} (${c.ip ?? "unknown IP"}) connected to ${c.rng.int(200, 4000)} ports on ${c.rng.int(20, 250)} internal hosts in 5 minutes.`,
  },
  {
    source: "splunk", ruleName: "Network - Firewall Deny Spike - Rule", title: "Firewall denied traffic spike",
    severity: [["info", 3], ["low", 2]], weight: 6, target: "network", fp: 0.3,
    describe: (c) => `Denied connections on ${c.host} rose to ${c.rng.int(5, 40)}x the 7-day baseline; top source ${c.ext}.`,
  },
  {
    source: "splunk", ruleName: "ESCU - Windows Local Admin Account Creation - Rule", title: "New local administrator account created",
    severity: [["medium", 2], ["high", 1]], weight: 2, target: "server", fp: 0.3,
    describe: (c) => `Account "${c.rng.pick(["svc_backup2", "helpdesk01", "admin_tmp", "support"])}" created and added to Administrators on ${c.host} (events 4720, 4732).`,
  },
  // Okta
  {
    source: "okta", ruleName: "okta.security.impossible_travel", title: "Impossible travel sign-in",
    severity: [["medium", 4], ["high", 1]], weight: 5, target: "identity", fp: 0.45,
    describe: (c) => `${c.user} signed in from ${c.rng.pick(CITIES)} (${c.ext}) ${c.rng.int(20, 110)} minutes after a sign-in from the usual office location.`,
  },
  {
    source: "okta", ruleName: "okta.mfa.push_fatigue", title: "MFA push fatigue: repeated denied pushes",
    severity: [["high", 3], ["medium", 1]], weight: 1.5, target: "identity", fp: 0.25,
    describe: (c) => `${c.rng.int(8, 40)} Okta Verify pushes denied for ${c.user} within 15 minutes, requests from ${c.ext}.`,
  },
  {
    source: "okta", ruleName: "okta.threat.anonymizing_proxy", title: "Sign-in from anonymizing proxy",
    severity: [["medium", 2], ["low", 2]], weight: 4, target: "identity", fp: 0.4,
    describe: (c) => `Successful sign-in for ${c.user} from a Tor exit / commercial VPN address (${c.ext}).`,
  },
  {
    source: "okta", ruleName: "okta.threat.password_spray", title: "Password spray against multiple accounts",
    severity: [["high", 2], ["medium", 2]], weight: 1.5, target: "account", fp: 0.2,
    describe: (c) => `${c.rng.int(40, 400)} accounts received failed sign-ins from ${c.ext} with ${c.rng.int(1, 3)} passwords each in 30 minutes.`,
  },
  {
    source: "okta", ruleName: "okta.iam.admin_role_assigned", title: "Admin role granted to user",
    severity: [["info", 3], ["low", 2]], weight: 4, target: "account", fp: 0.15,
    describe: (c) => `${c.rng.pick(["Super Administrator", "Org Administrator", "App Administrator"])} role granted to ${c.user}.`,
  },
  {
    source: "okta", ruleName: "okta.session.token_reuse", title: "Session token reused from new device",
    severity: [["high", 2], ["critical", 0.5]], weight: 0.6, target: "identity", fp: 0.2,
    describe: (c) => `Session cookie for ${c.user} replayed from ${c.ext} with a different user agent and ASN; possible adversary-in-the-middle phishing.`,
  },
  // AWS GuardDuty
  {
    source: "aws-guardduty", ruleName: "UnauthorizedAccess:EC2/SSHBruteForce", title: "SSH brute force against EC2 instance",
    severity: [["low", 4], ["medium", 1]], weight: 6, target: "cloud", fp: 0.3,
    describe: (c) => `${c.ext} attempted SSH logins against ${c.host} ${c.rng.int(100, 5000)} times.`,
  },
  {
    source: "aws-guardduty", ruleName: "Recon:EC2/PortProbeUnprotectedPort", title: "Unprotected port probed on EC2 instance",
    severity: [["low", 3], ["info", 2]], weight: 6, target: "cloud", fp: 0.3,
    describe: (c) => `Port ${c.rng.pick([22, 3389, 5432, 6379, 9200, 27017])} on ${c.host} is open to 0.0.0.0/0 and was probed by ${c.ext}.`,
  },
  {
    source: "aws-guardduty", ruleName: "CryptoCurrency:EC2/BitcoinTool.B!DNS", title: "Cryptocurrency mining activity on EC2 instance",
    severity: [["high", 1]], weight: 0.6, target: "cloud", fp: 0.15,
    describe: (c) => `${c.host} queried domains associated with cryptocurrency mining pools (${c.rng.pick(["pool.minexmr", "xmr.nanopool", "stratum+tcp"])}).`,
  },
  {
    source: "aws-guardduty", ruleName: "Backdoor:EC2/C&CActivity.B", title: "EC2 instance communicating with known C2 server",
    severity: [["high", 2], ["critical", 0.6]], weight: 0.4, target: "cloud", fp: 0.1,
    describe: (c) => `${c.host} connected to ${c.ext}, a known command-and-control endpoint.`,
  },
  {
    source: "aws-guardduty", ruleName: "Policy:IAMUser/RootCredentialUsage", title: "Root account credentials used",
    severity: [["low", 2], ["medium", 1]], weight: 1.5, target: "account", fp: 0.3,
    describe: (c) => `The AWS account root user called ${c.rng.pick(["ListBuckets", "GetBillingDetails", "CreateAccessKey", "ConsoleLogin"])} from ${c.ext}.`,
  },
  {
    source: "aws-guardduty", ruleName: "Policy:S3/BucketBlockPublicAccessDisabled", title: "S3 bucket block public access disabled",
    severity: [["medium", 2], ["high", 1]], weight: 1, target: "account", fp: 0.2,
    describe: (c) => `Block Public Access was disabled on bucket ${c.rng.pick(["backups", "exports", "static-assets", "logs"])}-${c.rng.int(100, 999)} by ${c.user}.`,
  },
  {
    source: "aws-guardduty", ruleName: "Discovery:IAMUser/AnomalousBehavior", title: "Anomalous API calls from unusual location",
    severity: [["medium", 2], ["low", 1]], weight: 2, target: "account", fp: 0.4,
    describe: (c) => `IAM principal ${c.user} made ${c.rng.int(20, 400)} List*/Describe* calls from ${c.ext}, not seen for this principal before.`,
  },
];

/** The intrusion at Umbrella North, in kill-chain order. */
const INCIDENT_CHAIN: readonly (readonly [string, number])[] = [
  ["Suspicious Office macro spawned command shell", 3],
  ["Unsigned binary executed from temp directory", 4],
  ["Outbound connection to known C2 infrastructure", 6],
  ["Brute force authentication attempts", 4],
  ["Lateral movement via PsExec", 8],
  ["New local administrator account created", 3],
  ["Large data transfer to external host", 3],
  ["Ransomware behavior detected", 7],
];

// ---------------------------------------------------------------------------
// People, hosts, addresses
// ---------------------------------------------------------------------------

const FIRST = [
  "james", "maria", "wei", "fatima", "lucas", "emma", "noah", "olivia", "liam", "sofia", "mateo", "aisha",
  "ethan", "chloe", "daniel", "yuki", "omar", "hannah", "ivan", "grace", "samuel", "leila", "victor", "nina",
  "kofi", "sara", "tom", "anna", "raj", "mia",
];
const LAST = [
  "smith", "garcia", "zhang", "khan", "muller", "rossi", "kim", "novak", "silva", "johnson", "brown", "nguyen",
  "martin", "kowalski", "tanaka", "okeke", "dubois", "larsen", "haddad", "fischer", "patel", "lopez", "walsh",
  "ivanova", "mensah", "berg", "costa", "wright", "sato", "reid",
];

const WORKSTATION_OS = [
  ["Windows 11 Enterprise 23H2", 34], ["Windows 11 Enterprise 24H2", 14], ["Windows 10 Enterprise 22H2", 26],
  ["macOS 14 Sonoma", 12], ["macOS 15 Sequoia", 10], ["Ubuntu 22.04 LTS", 4],
] as const;
const SERVER_OS = [
  ["Windows Server 2022", 34], ["Windows Server 2019", 22], ["Windows Server 2016", 6], ["Ubuntu 22.04 LTS", 16],
  ["Red Hat Enterprise Linux 9.4", 12], ["Debian 12", 6], ["VMware ESXi 8.0", 4],
] as const;
const CLOUD_OS = [["Amazon Linux 2023", 50], ["Ubuntu 22.04 LTS", 30], ["Bottlerocket 1.20", 12], ["Windows Server 2022", 8]] as const;
const MOBILE_OS = [["iOS 18.1", 50], ["Android 15", 35], ["iPadOS 18.1", 15]] as const;

const SERVER_ROLES = [
  ["dc", 3, "critical"], ["db", 4, "high"], ["sql", 3, "high"], ["web", 4, "medium"], ["app", 5, "medium"],
  ["file", 3, "high"], ["exch", 1, "high"], ["backup", 2, "high"], ["jump", 1, "high"], ["build", 2, "medium"],
  ["print", 1, "low"], ["k8s", 3, "medium"], ["log", 2, "medium"],
] as const;
const NETWORK_ROLES = [
  ["fw", 3, "critical", ["FortiOS 7.4.4", "PAN-OS 11.1.2"]],
  ["vpn", 1, "critical", ["FortiOS 7.4.4", "Cisco ASA 9.20"]],
  ["sw-core", 2, "high", ["Cisco IOS XE 17.9", "Arista EOS 4.31"]],
  ["sw-acc", 5, "medium", ["Cisco IOS XE 17.9", "Aruba AOS-CX 10.13"]],
  ["rtr", 2, "high", ["Cisco IOS XE 17.9", "Junos OS 23.2"]],
  ["wlc", 1, "medium", ["Cisco IOS XE 17.9", "Aruba AOS 8.11"]],
] as const;
const CLOUD_ROLES = ["api", "web", "worker", "batch", "etl", "k8s-node", "bastion", "vpn"] as const;

function externalIp(rng: Rng): string {
  // Documentation ranges (RFC 5737): realistic-looking, never a real party.
  return `${rng.pick(["192.0.2", "198.51.100", "203.0.113"])}.${rng.int(1, 254)}`;
}

const TRIAGE_ROLES = new Set(["mssp_admin", "mssp_analyst", "tenant_admin", "tenant_analyst"]);

/** Demo users who may triage alerts in `slug`, weighted: the SOC does most of the work. */
function assigneesFor(slug: string): (readonly [string, number])[] {
  const lineage = new Set(demoTenantLineage(slug));
  const out: (readonly [string, number])[] = [];
  for (const u of DEMO_USERS) {
    for (const m of u.memberships) {
      if (!lineage.has(m.tenantSlug) || !TRIAGE_ROLES.has(m.role)) continue;
      const w = m.role === "mssp_analyst" ? 5 : m.role === "tenant_analyst" ? 2 : m.role === "mssp_admin" ? 0.4 : 1;
      out.push([u.email, w]);
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function generateAssets(rng: Rng, slug: string, p: TenantProfile, now: number): DemoAsset[] {
  const assets: DemoAsset[] = [];
  const hostnames = new Set<string>();
  const ips = new Set<string>();
  const roleCounters = new Map<string, number>();
  const uniqueIp = (make: () => string) => {
    for (let i = 0; i < 50; i++) {
      const ip = make();
      if (!ips.has(ip)) {
        ips.add(ip);
        return ip;
      }
    }
    return null;
  };
  const person = () => `${rng.pick(FIRST)}.${rng.pick(LAST)}@${p.domain}`;
  const nextRole = (role: string) => {
    const n = (roleCounters.get(role) ?? 0) + 1;
    roleCounters.set(role, n);
    return String(n).padStart(2, "0");
  };

  for (let i = 0; i < p.assets; i++) {
    const kind = rng.weighted(p.kinds);
    let hostname = "";
    let os = "";
    let ip: string | null = null;
    let criticality: AssetCriticality = "medium";
    let owner: string | null = null;

    switch (kind) {
      case "workstation": {
        do hostname = `${p.hostPrefix}-ws-${String(rng.int(1, 2999)).padStart(4, "0")}`;
        while (hostnames.has(hostname));
        os = rng.weighted(WORKSTATION_OS);
        ip = uniqueIp(() => `10.${p.subnet}.${rng.int(16, 31)}.${rng.int(2, 254)}`);
        criticality = rng.weighted([["low", 55], ["medium", 38], ["high", 7]] as const);
        owner = person();
        break;
      }
      case "mobile": {
        do hostname = `${p.hostPrefix}-mb-${String(rng.int(1, 999)).padStart(4, "0")}`;
        while (hostnames.has(hostname));
        os = rng.weighted(MOBILE_OS);
        ip = rng.chance(0.5) ? uniqueIp(() => `10.${p.subnet}.${rng.int(100, 103)}.${rng.int(2, 254)}`) : null;
        criticality = rng.chance(0.85) ? "low" : "medium";
        owner = person();
        break;
      }
      case "server": {
        const [role, , crit] = rng.weighted(SERVER_ROLES.map((r) => [r, r[1]] as const));
        hostname = `${p.hostPrefix}-srv-${role}${nextRole(`srv-${role}`)}`;
        os = role === "dc" || role === "exch" || role === "sql" || role === "file" || role === "print"
          ? rng.pick(["Windows Server 2022", "Windows Server 2019"])
          : rng.weighted(SERVER_OS);
        ip = uniqueIp(() => `10.${p.subnet}.${rng.int(1, 3)}.${rng.int(2, 254)}`);
        criticality = crit === "high" && rng.chance(0.3) ? "critical" : crit === "medium" && rng.chance(0.3) ? "high" : crit;
        owner = rng.chance(0.7) ? `it-ops@${p.domain}` : null;
        break;
      }
      case "network": {
        const [role, , crit, oses] = rng.weighted(NETWORK_ROLES.map((r) => [r, r[1]] as const));
        hostname = `${p.hostPrefix}-${role}-${nextRole(role)}`;
        os = rng.pick(oses);
        ip = uniqueIp(() => `10.${p.subnet}.0.${rng.int(1, 254)}`);
        criticality = crit;
        owner = `netops@${p.domain}`;
        break;
      }
      case "cloud": {
        const role = rng.pick(CLOUD_ROLES);
        hostname = `${p.hostPrefix}-aws-${role}-${nextRole(`aws-${role}`)}`;
        os = rng.weighted(CLOUD_OS);
        ip = uniqueIp(() => `172.${16 + (p.subnet % 16)}.${rng.int(0, 63)}.${rng.int(4, 254)}`);
        criticality = rng.weighted([["medium", 5], ["high", 3], ["low", 2]] as const);
        owner = rng.chance(0.6) ? `cloud-platform@${p.domain}` : null;
        break;
      }
    }
    if (hostnames.has(hostname)) continue; // vanishingly rare; keeps (tenant, hostname) unique
    hostnames.add(hostname);

    // Most agents checked in within the last day; a tail of stale ones
    // (laptops on holiday, decommissioned VMs) and a few that never reported.
    const staleness = rng.next();
    const lastSeenAt =
      staleness < 0.02
        ? null
        : new Date(
            now -
              (staleness < 0.8
                ? rng.int(1, 180) * 60_000
                : staleness < 0.93
                  ? rng.int(3, 72) * HOUR
                  : rng.int(4, 45) * DAY + rng.int(0, 23) * HOUR),
          );
    const createdAt = new Date(now - rng.int(35, 900) * DAY - rng.int(0, 86_399) * 1000);

    assets.push({
      id: rng.uuid(), tenantSlug: slug, hostname, ipAddress: ip, os, kind, criticality,
      ownerEmail: owner, lastSeenAt, createdAt,
    });
  }
  return assets;
}

/** A detection time in the window, denser towards `now` and during business hours. */
function detectionTime(rng: Rng, now: number, utcOffset: number): number {
  for (let attempt = 0; attempt < 20; attempt++) {
    const ageDays = DEMO_WINDOW_DAYS * Math.pow(rng.next(), 1.7);
    const t = now - Math.max(2 * 60_000, ageDays * DAY);
    const local = new Date(t + utcOffset * HOUR);
    const hour = local.getUTCHours();
    const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6;
    const busy = !weekend && hour >= 8 && hour < 19;
    if (rng.next() < (busy ? 1 : weekend ? 0.3 : 0.4)) return t;
  }
  return now - rng.int(2, 60 * 24 * DEMO_WINDOW_DAYS) * 60_000;
}

/** Probability that an alert of this age is still open. */
function openProbability(ageHours: number): number {
  if (ageHours < 6) return 0.92;
  if (ageHours < 24) return 0.7;
  if (ageHours < 72) return 0.3;
  if (ageHours < 168) return 0.1;
  if (ageHours < 336) return 0.05;
  return 0.01;
}

const TRIAGE_HOURS: Record<Severity, readonly [number, number]> = {
  critical: [0.3, 6],
  high: [1, 24],
  medium: [2, 72],
  low: [4, 120],
  info: [2, 168],
};

type Pools = Record<AssetKind | "serverOrCloud", DemoAsset[]> & { all: DemoAsset[] };

function assetPools(assets: DemoAsset[]): Pools {
  const pools: Pools = { workstation: [], server: [], network: [], cloud: [], mobile: [], serverOrCloud: [], all: assets };
  for (const a of assets) {
    pools[a.kind].push(a);
    if (a.kind === "server" || a.kind === "cloud") pools.serverOrCloud.push(a);
  }
  return pools;
}

function pickAsset(rng: Rng, target: Target, pools: Pools): DemoAsset | null {
  const firstNonEmpty = (...lists: DemoAsset[][]) => lists.find((l) => l.length > 0) ?? pools.all;
  let candidates: DemoAsset[];
  switch (target) {
    case "endpoint":
      candidates = rng.chance(0.85) ? firstNonEmpty(pools.workstation, pools.server) : firstNonEmpty(pools.server);
      break;
    case "server":
      candidates = firstNonEmpty(pools.server, pools.cloud);
      break;
    case "cloud":
      candidates = firstNonEmpty(pools.cloud, pools.server);
      break;
    case "network":
      candidates = firstNonEmpty(pools.network);
      break;
    case "host":
      candidates = rng.chance(0.6) ? firstNonEmpty(pools.workstation) : firstNonEmpty(pools.serverOrCloud);
      break;
    case "identity":
      candidates = rng.chance(0.8) ? firstNonEmpty(pools.workstation) : firstNonEmpty(pools.mobile, pools.workstation);
      break;
    case "account":
      return null;
  }
  if (candidates.length === 0) return null;
  // Pools are in generation (random) order, so skewing the index makes a
  // random handful of hosts the noisy ones.
  return candidates[rng.skewedIndex(candidates.length)];
}

function unmanagedHostname(rng: Rng): string {
  const chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  let s = "";
  for (let i = 0; i < 7; i++) s += chars[rng.int(0, chars.length - 1)];
  return rng.chance(0.6) ? `DESKTOP-${s}` : `LAPTOP-${s}`;
}

function ruleTitle(rule: Rule, rng: Rng): string {
  return typeof rule.title === "function" ? rule.title(rng) : rule.title;
}

function makeAlert(
  rng: Rng,
  slug: string,
  p: TenantProfile,
  rule: Rule,
  asset: DemoAsset | null,
  detectedAt: number,
  now: number,
  assignees: (readonly [string, number])[],
  forced?: { severity: Severity; open: true },
): DemoAlert {
  const severity = forced?.severity ?? rng.weighted(rule.severity);
  const ageHours = (now - detectedAt) / HOUR;
  let pOpen = openProbability(ageHours);
  if (severity === "critical") pOpen *= 0.5; // criticals are worked first
  if (severity === "critical" && p.noOpenCritical) pOpen = 0;
  const open = forced ? true : rng.chance(pOpen);

  let status: AlertStatus;
  let resolvedAt: number | null = null;
  if (open) {
    status = ageHours > 2 && rng.chance(0.45) ? "in_progress" : ageHours > 0.5 && rng.chance(0.15) ? "in_progress" : "new";
  } else {
    status = rng.chance(rule.fp) ? "false_positive" : "resolved";
    const [lo, hi] = TRIAGE_HOURS[severity];
    const took = (lo + (hi - lo) * Math.pow(rng.next(), 1.5)) * HOUR;
    resolvedAt = Math.min(detectedAt + took, now - rng.int(1, 30) * 60_000);
    if (resolvedAt <= detectedAt) resolvedAt = detectedAt + Math.max(60_000, (now - detectedAt) / 2);
  }

  const assignProbability = status === "in_progress" ? 0.9 : status === "new" ? 0.05 : 0.75;
  const assigneeEmail = assignees.length > 0 && rng.chance(assignProbability) ? rng.weighted(assignees) : null;

  let hostname: string | null = asset?.hostname ?? null;
  if (!asset && (rule.target === "endpoint" || rule.target === "host" || rule.target === "server")) {
    hostname = unmanagedHostname(rng); // a device without an agent: no asset row
  }
  const ext = externalIp(rng);
  const user = asset?.ownerEmail && !asset.ownerEmail.startsWith("it-ops@") && !asset.ownerEmail.startsWith("netops@") &&
    !asset.ownerEmail.startsWith("cloud-platform@")
    ? asset.ownerEmail
    : `${rng.pick(FIRST)}.${rng.pick(LAST)}@${p.domain}`;
  const inbound = rule.source === "okta" || rule.source === "aws-guardduty" || rule.ruleName.includes("Failed Logons") ||
    rule.ruleName.includes("Firewall");
  const sourceIp = inbound ? ext : asset?.ipAddress ?? null;

  const createdAt = Math.min(now, detectedAt + rng.int(3, 180) * 1000);
  const updatedAt = resolvedAt ?? (status === "in_progress" ? Math.min(now, createdAt + rng.int(5, 240) * 60_000) : createdAt);
  // Worked alerts were acknowledged a while after they arrived (no extra random
  // draw, so the rest of the demo stays as it was): a quarter of the way to
  // their last change, at most 20 minutes in.
  const acknowledgedAt = status === "new" ? null : Math.min(updatedAt, createdAt + Math.min(20 * 60_000, (updatedAt - createdAt) / 4));

  return {
    id: rng.uuid(),
    tenantSlug: slug,
    title: ruleTitle(rule, rng),
    description: rule.describe({ rng, host: hostname, ip: asset?.ipAddress ?? null, user, ext }),
    severity,
    status,
    source: rule.source,
    ruleName: rule.ruleName,
    assetId: asset?.id ?? null,
    hostname,
    sourceIp,
    assigneeEmail,
    detectedAt: new Date(detectedAt),
    createdAt: new Date(createdAt),
    updatedAt: new Date(Math.max(updatedAt, createdAt)),
    resolvedAt: resolvedAt === null ? null : new Date(resolvedAt),
    acknowledgedAt: acknowledgedAt === null ? null : new Date(acknowledgedAt),
  };
}

function generateAlerts(rng: Rng, slug: string, p: TenantProfile, assets: DemoAsset[], now: number): DemoAlert[] {
  const pools = assetPools(assets);
  const rules = RULES.filter((r) => p.stack.includes(r.source));
  const weightedRules = rules.map(
    (r) => [r, r.weight * ((typeof r.title === "string" ? p.noisyRules?.[r.title] : undefined) ?? 1)] as const,
  );
  const assignees = assigneesFor(slug);
  const alerts: DemoAlert[] = [];

  const background = p.alerts - (p.incident?.alerts ?? 0);
  for (let i = 0; i < background; i++) {
    const rule = rng.weighted(weightedRules);
    let asset = pickAsset(rng, rule.target, pools);
    // Host detections occasionally fire on a device with no agent.
    if (asset && rule.target !== "identity" && rng.chance(0.04)) asset = null;
    if (asset && rule.target === "identity" && rng.chance(0.55)) asset = null;
    alerts.push(makeAlert(rng, slug, p, rule, asset, detectionTime(rng, now, p.utcOffset), now, assignees));
  }

  if (p.incident) {
    const { withinHours, hosts, alerts: count } = p.incident;
    const victims = [pools.workstation[0], ...pools.server.slice(0, hosts - 1)].filter((a): a is DemoAsset => !!a);
    const chain = INCIDENT_CHAIN.flatMap(([title, n]) => Array.from({ length: n }, () => title));
    const start = now - withinHours * HOUR;
    for (let i = 0; i < count; i++) {
      const title = chain[Math.min(chain.length - 1, Math.floor((i / count) * chain.length))];
      const rule = rules.find((r) => r.title === title) ?? rng.pick(rules);
      // Patient zero first, then the servers it reached.
      const host = i < count * 0.3 ? victims[0] : rng.pick(victims);
      const t = start + ((i + rng.next()) / count) * (withinHours - 0.2) * HOUR;
      // An active intrusion is at least high; only some detections reach critical.
      const drawn = rng.weighted(rule.severity);
      const severity: Severity = SEV_RANK[drawn] > SEV_RANK.high ? "high" : drawn;
      alerts.push(makeAlert(rng, slug, p, rule, host ?? null, t, now, assignees, { severity, open: true }));
    }
  }
  return alerts;
}

const SEV_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/**
 * The demo assets and alerts for every tenant with a profile (customers and
 * sites; the MSSP root has none), relative to `now`.
 */
export function generateDemoData(opts: { now: Date; seed?: number }): DemoData {
  const now = opts.now.getTime();
  const assets: DemoAsset[] = [];
  const alerts: DemoAlert[] = [];
  for (const t of DEMO_TENANTS) {
    const p = PROFILES[t.slug];
    if (!p) continue;
    // One stream per tenant, so tuning one tenant never reshuffles another.
    const rng = new Rng(mulberry32((opts.seed ?? DEMO_SEED) ^ hashString(t.slug)));
    const tenantAssets = generateAssets(rng, t.slug, p, now);
    const tenantAlerts = generateAlerts(rng, t.slug, p, tenantAssets, now);
    tenantAlerts.sort((a, b) => a.detectedAt.getTime() - b.detectedAt.getTime());
    assets.push(...tenantAssets);
    alerts.push(...tenantAlerts);
  }
  return { assets, alerts };
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
