// Numbers on the usage pages: whole quantities with separators, bytes in binary units.
export function formatQuantity(value: number, unit: string): string {
  if (unit === "bytes") return formatBytes(value);
  return value.toLocaleString("en-US");
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** Bar colour by share of the limit: fine, near (80 %), over (100 %). */
export const barColour = (percent: number) => (percent >= 100 ? "bg-red-600" : percent >= 80 ? "bg-amber-500" : "bg-emerald-600");
