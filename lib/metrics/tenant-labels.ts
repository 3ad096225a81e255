// Bounded tenant labels (docs/metrics.md#labels-and-their-bounds). A series
// per tenant would grow with the customer base without limit; here at most
// `limit` tenants get a `tenant` label of their own and every other tenant's
// requests are summed under tenant="other".
//
// Who gets a label: the busiest unlabelled tenants, promoted at each scrape
// while slots are free (so the first labels go to the tenants with the most
// volume since the process started). A label, once given, is kept for the
// life of the process: a counter that disappeared and came back, or an
// "other" that shrank when a tenant left it, would read as a counter reset
// and break rate(). A promoted tenant's series starts at zero; what it counted
// while it was "other" stays in "other".
export const OTHER = "other";

export class BoundedTenants {
  private readonly labelled = new Set<string>();
  /** Volume of unlabelled tenants since start (ranking only); trimmed to `trackLimit` entries. */
  private readonly pending = new Map<string, number>();

  constructor(
    readonly limit: number,
    private readonly trackLimit = 10_000,
  ) {}

  /** The label to count `tenant` under now, and notes its volume for the next promotion. */
  labelOf(tenant: string, amount = 1): string {
    if (this.labelled.has(tenant)) return tenant;
    if (tenant === OTHER) return OTHER;
    this.pending.set(tenant, (this.pending.get(tenant) ?? 0) + amount);
    if (this.pending.size > this.trackLimit) this.trim();
    return OTHER;
  }

  /** Fills free slots with the busiest unlabelled tenants; returns the newly labelled ones. */
  promote(): string[] {
    const free = this.limit - this.labelled.size;
    if (free <= 0 || this.pending.size === 0) return [];
    const chosen = [...this.pending].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, free).map(([t]) => t);
    for (const t of chosen) {
      this.labelled.add(t);
      this.pending.delete(t);
    }
    return chosen;
  }

  get labelledCount(): number {
    return this.labelled.size;
  }

  isLabelled(tenant: string): boolean {
    return this.labelled.has(tenant);
  }

  private trim(): void {
    const keep = [...this.pending].sort((a, b) => b[1] - a[1]).slice(0, Math.floor(this.trackLimit / 2));
    this.pending.clear();
    for (const [t, n] of keep) this.pending.set(t, n);
  }
}
