"use client";
// TanStack Query for the Keys page's live job progress (polling the job route).
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";

export function KeysQueryProvider({ children }: { children: React.ReactNode }) {
  const [client] = useState(
    () => new QueryClient({ defaultOptions: { queries: { retry: 2, refetchOnWindowFocus: false } } }),
  );
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
