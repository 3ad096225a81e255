import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { refuseBadJson } from "@/lib/http/request-guard";

const handler = NextAuth(authOptions);

// next-auth parses a JSON body without a guard: a body that is not JSON would be a 500.
async function post(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return (await refuseBadJson(request)) ?? handler(request, context);
}

export { handler as GET, post as POST };
