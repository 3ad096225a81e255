// Peer groups: which customers a customer is compared with. The console's
// /compare picks a group by plan (lib/billing assignment), size (asset-count
// band) or industry (the profile.industry setting, inherited down the tree
// and overridable per tenant); the tenant's /benchmark uses all of the
// MSSP's customers, the same industry or the same size band, anonymously
// (analytics.peer_benchmark, migration 20261201016500).
import { INDUSTRIES, type Industry } from "@/lib/settings";

export { INDUSTRIES, type Industry };

/** The bands of analytics.size_band (the SQL decides; these are the words for them). */
export const SIZE_BANDS = ["none", "under_50", "50_249", "250_999", "1000_4999", "5000_plus"] as const;
export type SizeBand = (typeof SIZE_BANDS)[number];

export const SIZE_BAND_LABELS: Record<SizeBand, string> = {
  none: "No assets",
  under_50: "1–49 assets",
  "50_249": "50–249 assets",
  "250_999": "250–999 assets",
  "1000_4999": "1,000–4,999 assets",
  "5000_plus": "5,000 or more assets",
};

/** The band an asset count falls in, as analytics.size_band says (tests check both agree). */
export function sizeBandOf(assets: number): SizeBand {
  if (assets <= 0) return "none";
  if (assets < 50) return "under_50";
  if (assets < 250) return "50_249";
  if (assets < 1000) return "250_999";
  if (assets < 5000) return "1000_4999";
  return "5000_plus";
}

export const industryLabel = (value: string): string => INDUSTRIES.find((i) => i.value === value)?.label ?? "Not specified";

/** The tenant host's benchmark peer groups. */
export const BENCHMARK_GROUPS = ["all", "industry", "size"] as const;
export type BenchmarkGroup = (typeof BENCHMARK_GROUPS)[number];

export const BENCHMARK_GROUP_LABELS: Record<BenchmarkGroup, string> = {
  all: "All customers of your provider",
  industry: "Customers in your industry",
  size: "Customers of your size",
};
