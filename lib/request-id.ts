// The id the proxy gave this request (proxy.ts), for audit rows and logs.
import { headers } from "next/headers";

export async function requestId(): Promise<string | null> {
  return (await headers()).get("x-request-id");
}
