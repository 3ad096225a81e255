"use client";
// Keeps a range form's preset picker and its two day fields telling the same
// story. Without it a person typed days while the picker still said "Last 30
// days" and the dashboard showed 30 days (the preset wins there), or picked
// "30 days" on Compare while old days stayed in the fields (the days win
// there): either way what they chose was silently ignored. With JavaScript,
// typing a day turns the picker to the custom value, and choosing a preset
// fills the days with that preset's (or empties them, where empty means "the
// preset"). Without JavaScript the forms post as before; the labels say which
// fields belong to a custom range.
//
// What a person did before the page hydrated (typing a day, choosing a
// preset) fired no listener, so on mount the fields are compared with what
// the server rendered and the same rule is applied once.
import { useEffect, useRef } from "react";

export interface RangeSyncProps {
  /** The preset picker's name in the form. */
  picker: string;
  /** The picker's value that means "the days below". */
  custom: string;
  /** Each preset's days, to show in the fields when it is chosen; absent: the fields are emptied. */
  presetDays?: Record<string, { from: string; to: string }>;
}

export function RangeSync({ picker, custom, presetDays }: RangeSyncProps) {
  const marker = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const form = marker.current?.closest("form");
    const select = form?.elements.namedItem(picker);
    const from = form?.elements.namedItem("from");
    const to = form?.elements.namedItem("to");
    if (!(select instanceof HTMLSelectElement && from instanceof HTMLInputElement && to instanceof HTMLInputElement)) return;
    const onDay = () => {
      if (select.value !== custom) select.value = custom;
    };
    const onPicker = () => {
      if (select.value === custom) return;
      const days = presetDays?.[select.value];
      from.value = days?.from ?? "";
      to.value = days?.to ?? "";
    };
    const dayTyped = from.value !== from.defaultValue || to.value !== to.defaultValue;
    const rendered = Array.from(select.options).find((option) => option.defaultSelected) ?? select.options[0];
    const pickerChosen = rendered !== undefined && select.value !== rendered.value;
    if (dayTyped && !pickerChosen) onDay();
    else if (pickerChosen && !dayTyped) onPicker();
    from.addEventListener("input", onDay);
    to.addEventListener("input", onDay);
    select.addEventListener("change", onPicker);
    return () => {
      from.removeEventListener("input", onDay);
      to.removeEventListener("input", onDay);
      select.removeEventListener("change", onPicker);
    };
  }, [picker, custom, presetDays]);
  return <span ref={marker} hidden />;
}
