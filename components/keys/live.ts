"use client";
// The Keys page's live state, in TanStack Query's cache: each tenant row, the
// KEK cards and the recent jobs start from what the server rendered and are
// replaced piecewise from GET /keys/live when a job is queued or finishes.
// Only the row whose job finished (and the small cards above and below the
// table) re-render; the rest of the table is never fetched again.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import type { KekCard, KeysLiveData, KeysTenantRow, RecentJob } from "@/lib/vault/rotation-page";

const rowKey = (id: string) => ["keys", "row", id] as const;
const keksKey = ["keys", "keks"] as const;
const recentKey = ["keys", "recent"] as const;

async function fetchLive(tenantIds: readonly string[]): Promise<KeysLiveData> {
  const response = await fetch(`/keys/live?tenants=${tenantIds.map(encodeURIComponent).join(",")}`, {
    cache: "no-store",
    headers: { accept: "application/json" },
  });
  if (response.status === 401) throw new Error("Your session has ended; sign in again to see the latest key status.");
  if (!response.ok) throw new Error("The latest key status could not be read; reload the page to see it.");
  return (await response.json()) as KeysLiveData;
}

// Nothing here refetches on its own: data changes only through useRefreshKeys.
const manual = { staleTime: Infinity, gcTime: Infinity, refetchOnMount: false, refetchOnReconnect: false } as const;

export function useKeyRow(initial: KeysTenantRow): KeysTenantRow {
  const { data } = useQuery({
    queryKey: rowKey(initial.id),
    queryFn: async () => (await fetchLive([initial.id])).tenants[0] ?? initial,
    initialData: initial,
    ...manual,
  });
  return data;
}

export function useKekCards(initial: KekCard[]): KekCard[] {
  const { data } = useQuery({ queryKey: keksKey, queryFn: async () => (await fetchLive([])).keks, initialData: initial, ...manual });
  return data;
}

export function useRecentJobs(initial: RecentJob[]): RecentJob[] {
  const { data } = useQuery({ queryKey: recentKey, queryFn: async () => (await fetchLive([])).recentJobs, initialData: initial, ...manual });
  return data;
}

/**
 * Re-reads the rows of `tenantIds` (none: only the KEK cards and recent jobs)
 * in one request and puts each part where its component reads it. Resolves
 * to null, or to what to tell the user if it failed (the page keeps what it
 * showed).
 */
export function useRefreshKeys(): (tenantIds: readonly string[]) => Promise<string | null> {
  const client = useQueryClient();
  return useCallback(
    async (tenantIds) => {
      let live: KeysLiveData;
      try {
        live = await fetchLive(tenantIds);
      } catch (error) {
        return (error as Error).message;
      }
      for (const row of live.tenants) client.setQueryData(rowKey(row.id), row);
      client.setQueryData(keksKey, live.keks);
      client.setQueryData(recentKey, live.recentJobs);
      return null;
    },
    [client],
  );
}
