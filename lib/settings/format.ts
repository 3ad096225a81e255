// A setting's value in words, for messages, badges and the drift report.
import type { SettingDefinition } from "./registry";

export function formatValue(definition: SettingDefinition, value: unknown): string {
  const input = definition.input;
  switch (input.kind) {
    case "boolean":
      return value ? "on" : "off";
    case "integer":
      return `${Number(value).toLocaleString("en-US")} ${input.unit}`;
    case "select":
      return input.options.find((o) => o.value === value)?.label ?? String(value);
    case "list": {
      const items = Array.isArray(value) ? (value as string[]) : [];
      return items.length === 0 ? "none" : items.join(", ");
    }
    case "text":
      return value === "" ? "empty" : String(value);
  }
}

/** The value as a form field's text (the inverse of parseSettingValue). */
export function valueAsText(definition: SettingDefinition, value: unknown): string {
  if (definition.input.kind === "list") return (Array.isArray(value) ? (value as string[]) : []).join("\n");
  return String(value);
}

/** The settings page shows this many changes; the audit trail has them all, paged. */
export const HISTORY_LIMIT = 30;
