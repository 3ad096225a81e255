// TOTP secrets at rest (lib/auth/mfa-crypto.ts): AES-256-GCM under a key
// derived from NEXTAUTH_SECRET, bound to the user id. Tries to open a sealed
// secret as another user, after tampering, and under another key; and checks
// recovery codes are high-entropy and only stored as hashes.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import {
  generateRecoveryCode,
  generateRecoveryCodes,
  hashRecoveryCode,
  MfaKeyUnavailableError,
  mfaKey,
  normalizeRecoveryCode,
  openTotpSecret,
  RECOVERY_CODE_COUNT,
  sealTotpSecret,
} from "@/lib/auth/mfa-crypto";
import { base32Encode, generateTotpSecret } from "@/lib/auth/totp";

const KEY = mfaKey("test-only-nextauth-secret-for-mfa-crypto");
const alice = randomUUID();
const bob = randomUUID();

describe("sealing TOTP secrets", () => {
  test("round trip: what is sealed for a user opens for that user", () => {
    const secret = generateTotpSecret();
    const sealed = sealTotpSecret(alice, secret, KEY);
    assert.deepEqual(openTotpSecret(alice, sealed, KEY), secret);
    // The user id is matched case-insensitively (Postgres prints uuids in lower case).
    assert.deepEqual(openTotpSecret(alice.toUpperCase(), sealed, KEY), secret);
  });

  test("the stored form is versioned and holds no trace of the secret", () => {
    const secret = generateTotpSecret();
    const sealed = sealTotpSecret(alice, secret, KEY);
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes(base32Encode(secret)));
    assert.ok(!sealed.includes(secret.toString("hex")));
    assert.ok(!sealed.includes(secret.toString("base64url")));
  });

  test("every seal uses a fresh IV: the same secret seals differently each time", () => {
    const secret = generateTotpSecret();
    assert.notEqual(sealTotpSecret(alice, secret, KEY), sealTotpSecret(alice, secret, KEY));
  });

  test("AAD binding: a secret sealed for one user does not open as another", () => {
    const sealed = sealTotpSecret(alice, generateTotpSecret(), KEY);
    assert.throws(() => openTotpSecret(bob, sealed, KEY), /unable to authenticate|auth/i);
  });

  test("a different NEXTAUTH_SECRET derives a different key, which does not open it", () => {
    const sealed = sealTotpSecret(alice, generateTotpSecret(), KEY);
    const other = mfaKey("another-nextauth-secret");
    assert.notDeepEqual(other, KEY);
    assert.throws(() => openTotpSecret(alice, sealed, other), /unable to authenticate|auth/i);
  });

  test("any flipped bit (IV, ciphertext or tag) is detected", () => {
    const sealed = sealTotpSecret(alice, generateTotpSecret(), KEY);
    const raw = Buffer.from(sealed.slice(3), "base64url");
    for (const index of [0, 11, 12, 20, raw.length - 1]) {
      const bad = Buffer.from(raw);
      bad[index] ^= 0x01;
      assert.throws(() => openTotpSecret(alice, `v1.${bad.toString("base64url")}`, KEY), `byte ${index}`);
    }
    assert.throws(() => openTotpSecret(alice, `v2.${raw.toString("base64url")}`, KEY), /format/);
    assert.throws(() => openTotpSecret(alice, "v1.AAAA", KEY), /truncated/);
    assert.throws(() => openTotpSecret(alice, "plaintext", KEY), /format/);
  });

  test("without NEXTAUTH_SECRET nothing is sealed", () => {
    assert.throws(() => mfaKey(""), MfaKeyUnavailableError);
  });
});

describe("recovery codes", () => {
  test(`${RECOVERY_CODE_COUNT} distinct codes of 16 symbols (~79 bits each) from an unambiguous alphabet`, () => {
    const codes = generateRecoveryCodes();
    assert.equal(codes.length, RECOVERY_CODE_COUNT);
    assert.equal(new Set(codes).size, RECOVERY_CODE_COUNT);
    for (const code of codes) assert.match(code, /^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/);
    assert.ok(16 * Math.log2(31) > 79);
  });

  test("input is normalised (case, spaces, hyphens); anything else is not a recovery code", () => {
    const code = generateRecoveryCode();
    const plain = code.replace(/-/g, "");
    assert.equal(normalizeRecoveryCode(code.toUpperCase()), plain);
    assert.equal(normalizeRecoveryCode(` ${plain.slice(0, 8)} ${plain.slice(8)} `), plain);
    assert.equal(normalizeRecoveryCode("123456"), null);
    assert.equal(normalizeRecoveryCode(`${plain}a`), null);
    assert.equal(normalizeRecoveryCode(plain.replace(/.$/, "0")), null); // 0 is not in the alphabet
  });

  test("the hash is bound to the user and to the normalised code", () => {
    const code = generateRecoveryCode();
    assert.match(hashRecoveryCode(alice, code), /^[0-9a-f]{64}$/);
    assert.equal(hashRecoveryCode(alice, code), hashRecoveryCode(alice, code.toUpperCase().replace(/-/g, " ")));
    assert.notEqual(hashRecoveryCode(alice, code), hashRecoveryCode(bob, code));
    assert.throws(() => hashRecoveryCode(alice, "nope"), /not a recovery code/);
  });
});
