// What the sign-in page says for each failure code next-auth hands back
// (lib/auth/options.ts throws them). Never says whether an email exists.
export function signInErrorMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  if (code.startsWith("locked:")) {
    const minutes = Math.max(1, Math.ceil(Number(code.slice("locked:".length)) / 60));
    return `Too many failed attempts. This account is locked for ${minutes} minute${minutes === 1 ? "" : "s"}; try again later or ask your admin.`;
  }
  if (code === "invalid" || code === "CredentialsSignin") return "Wrong email or password.";
  return "Sign-in failed. Try again in a moment.";
}
