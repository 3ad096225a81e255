"use client";
// The Keys page's live state, in TanStack Query's cache: each tenant row, the
// KEK cards and the recent jobs start from what the server rendered and are
// replaced piecewise from GET /keys/live when a job is queued or finishes.
// Only the row whose job finished (and the small cards above and below the
// table) re-render; the rest of the table is never fetched again.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
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

// Nothing here refetches on its own: data changes through useRefreshKeys, or
// when the server renders the page again (useServerProps).
const manual = { staleTime: Infinity, gcTime: Infinity, refetchOnMount: false, refetchOnReconnect: false } as const;

/**
 * When the server renders the page again (router.refresh after a rotation, a
 * server action's revalidation), its props are newer than the cache: take them.
 * The first render's props are the cache's initial data already.
 */
function useServerProps<T>(key: readonly unknown[], initial: T) {
  const client = useQueryClient();
  const seen = useRef(initial);
  useEffect(() => {
    if (seen.current === initial) return;
    seen.current = initial;
    client.setQueryData(key, initial);
  }, [client, initial, key]);
}

export function useKeyRow(initial: KeysTenantRow): KeysTenantRow {
  useServerProps(rowKey(initial.id), initial);
  const { data } = useQuery({
    queryKey: rowKey(initial.id),
    queryFn: async () => (await fetchLive([initial.id])).tenants[0] ?? initial,
    initialData: initial,
    ...manual,
  });
  return data;
}

export function useKekCards(initial: KekCard[]): KekCard[] {
  useServerProps(keksKey, initial);
  const { data } = useQuery({ queryKey: keksKey, queryFn: async () => (await fetchLive([])).keks, initialData: initial, ...manual });
  return data;
}

export function useRecentJobs(initial: RecentJob[]): RecentJob[] {
  useServerProps(recentKey, initial);
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
