"use client";
// Refreshes the page's server data every few seconds while a report is
// queued or being generated, so its status and progress bar move on their own.
import { useRouter } from "next/navigation";
import { useEffect } from "react";

export function AutoRefresh(props: { active: boolean; everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!props.active) return;
    const t = setInterval(() => router.refresh(), props.everyMs ?? 2000);
    return () => clearInterval(t);
  }, [props.active, props.everyMs, router]);
  return null;
}
