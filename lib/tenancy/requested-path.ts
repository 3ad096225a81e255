// The path the person asked for on this host (set by proxy.ts before it
// rewrites to /console/... or /t/<slug>/...), for "sign in, then come back".
import { headers } from "next/headers";
import { isSafeReturnPath } from "./return-path";

export async function requestedPath(fallback = "/"): Promise<string> {
  const path = (await headers()).get("x-portal-path");
  return path && isSafeReturnPath(path) ? path : fallback;
}
