// lib/auth/jwt-codec.ts: next-auth's session token format with the derived key
// cached per secret. Tokens must cross both ways with next-auth's own
// encode/decode (sessions minted before a deploy stay valid, and the e2e
// helpers mint with next-auth's), and a wrong secret, a tampered token or an
// expired one must fail with jose's error names (the logger sorts by them).
import assert from "node:assert/strict";
import { test } from "node:test";
import { decode, encode } from "next-auth/jwt";
import { decodeJwt, encodeJwt } from "@/lib/auth/jwt-codec";

const secret = "codec-test-secret-0123456789-0123456789";
const token = { sub: "user-1", email: "a@example.test", name: "Ann", sid: "s-1", amr: ["pwd", "otp"], mfaEnrollmentRequired: false };

test("next-auth's tokens decode here, and ours decode with next-auth's", async () => {
  const theirs = await encode({ token, secret, maxAge: 3600 });
  const a = await decodeJwt({ token: theirs, secret });
  assert.deepEqual({ ...a, iat: 0, exp: 0, jti: "" }, { ...token, iat: 0, exp: 0, jti: "" });
  const ours = await encodeJwt({ token, secret, maxAge: 3600 });
  const b = await decode({ token: ours, secret });
  assert.ok(b);
  assert.equal(b.sub, "user-1");
  assert.deepEqual(b.amr, ["pwd", "otp"]);
  assert.equal(typeof b.jti, "string");
  assert.ok(Math.abs(Number(b.exp) - Number(b.iat) - 3600) <= 1);
  // With a salt too (next-auth's default is none; the key differs per salt).
  const salted = await encode({ token, secret, salt: "s", maxAge: 60 });
  assert.equal((await decodeJwt({ token: salted, secret, salt: "s" }))?.sub, "user-1");
  await assert.rejects(decodeJwt({ token: salted, secret }), { name: "JWEDecryptionFailed" });
  assert.equal(await decodeJwt({ token: "", secret }), null);
});

test("a wrong secret, a tampered token, junk and an expired token are refused with jose's names", async () => {
  const ours = await encodeJwt({ token, secret, maxAge: 3600 });
  await assert.rejects(decodeJwt({ token: ours, secret: `${secret}x` }), { name: "JWEDecryptionFailed" });
  const parts = ours.split(".");
  const flipped = Buffer.from(parts[3], "base64url");
  flipped[0] ^= 1;
  await assert.rejects(decodeJwt({ token: [parts[0], "", parts[2], flipped.toString("base64url"), parts[4]].join("."), secret }), { name: "JWEDecryptionFailed" });
  await assert.rejects(decodeJwt({ token: "not-a-token", secret }), { name: "JWEInvalid" });
  const otherAlg = Buffer.from(JSON.stringify({ alg: "dir", enc: "A128GCM" })).toString("base64url");
  await assert.rejects(decodeJwt({ token: [otherAlg, ...parts.slice(1)].join("."), secret }), { name: "JOSEAlgNotAllowed" });
  const expired = await encode({ token, secret, maxAge: -3600 });
  await assert.rejects(decodeJwt({ token: expired, secret }), { name: "JWTExpired" });
  await assert.rejects(decode({ token: await encodeJwt({ token, secret, maxAge: -3600 }), secret }), { name: "JWTExpired" });
  // Within the 15 s tolerance, as next-auth's.
  assert.equal((await decodeJwt({ token: await encode({ token, secret, maxAge: -5 }), secret }))?.sub, "user-1");
});
