// How an alert's status reads to a person (pages, messages, the timeline).
import type { AlertStatus } from "@/drizzle/schema";

export const STATUS_LABELS: Record<AlertStatus, string> = {
  new: "New",
  acknowledged: "Acknowledged",
  in_progress: "In progress",
  resolved: "Resolved",
  false_positive: "False positive",
};
