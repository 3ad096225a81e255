import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { refuseBadCallbackUrl, refuseBadJson } from "@/lib/http/request-guard";

const handler = NextAuth(authOptions);

type Context = { params: Promise<{ nextauth: string[] }> };

// next-auth answers a callbackUrl that is no path or http(s) URL with a 500, and parses a JSON body
// without a guard (a body that is not JSON would be a 500 too): both are refused first with a 400.
async function get(request: Request, context: Context) {
  return refuseBadCallbackUrl(request) ?? handler(request, context);
}

async function post(request: Request, context: Context) {
  return refuseBadCallbackUrl(request) ?? (await refuseBadJson(request)) ?? handler(request, context);
}

export { get as GET, post as POST };
