// Who can get a saved connector secret back, in the words the pages use.
// One sentence, kept here so the add form and the read-only notice say the
// same and a test can pin it (tests/credentials-secret-access-text.test.ts).
//
// A saved secret is never shown again in the portal's pages, but it is not
// unreadable: the collector's endpoint (POST /api/v1/collectors/{name}/credentials,
// lib/collector/open-credentials.ts) answers with the plaintext of every
// generic_api_key and sentinelone secret to a key of the tenant holding
// collectors:write. Whoever may create such a key (the tenant's admins, and
// its MSSP's admins, who may create keys for it) can therefore obtain them;
// each opening is audited as credential.opened with the key as the actor.
export const SECRET_ACCESS_NOTE =
  "Once saved, a secret is never shown on these pages again. The one way it comes back out is the collector's: " +
  "an API key of this tenant with the collectors:write scope can open it, and every opening is audited (credential.opened). " +
  "Anyone who may create such a key (the admins of this tenant or of a tenant above it, its MSSP's included) can therefore obtain the secret.";
