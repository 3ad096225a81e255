// TOTP as implemented in lib/auth/totp.ts, against the published test vectors:
// RFC 4226 appendix D (HOTP), RFC 6238 appendix B (TOTP, SHA-1 and the others),
// RFC 4648 section 10 (base32). Then the verification rules the sign-in relies
// on: the ±1 step window, nothing outside it, and no replay of a used step.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  base32Decode,
  base32Encode,
  formatSecretForDisplay,
  generateTotpSecret,
  hotp,
  otpauthUri,
  totp,
  totpStep,
  verifyTotp,
} from "@/lib/auth/totp";
import { DEMO_TOTP_SECRET } from "@/lib/demo/users";

const RFC_SEED_SHA1 = Buffer.from("12345678901234567890", "ascii");
const RFC_SEED_SHA256 = Buffer.from("12345678901234567890123456789012", "ascii");
const RFC_SEED_SHA512 = Buffer.from("1234567890123456789012345678901234567890123456789012345678901234", "ascii");

describe("RFC 4226 appendix D: HOTP, SHA-1, 6 digits", () => {
  const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
  for (const [counter, code] of expected.entries()) {
    test(`counter ${counter} -> ${code}`, () => assert.equal(hotp(RFC_SEED_SHA1, counter), code));
  }
});

describe("RFC 6238 appendix B: TOTP, 30 s step, 8 digits", () => {
  // [Unix time, SHA-1, SHA-256, SHA-512]
  const vectors: [number, string, string, string][] = [
    [59, "94287082", "46119246", "90693936"],
    [1111111109, "07081804", "68084774", "25091201"],
    [1111111111, "14050471", "67062674", "99943326"],
    [1234567890, "89005924", "91819424", "93441116"],
    [2000000000, "69279037", "90698825", "38618901"],
    [20000000000, "65353130", "77737706", "47863826"],
  ];
  for (const [seconds, sha1, sha256, sha512] of vectors) {
    test(`T = ${seconds}s`, () => {
      const at = seconds * 1000;
      assert.equal(totp(RFC_SEED_SHA1, at, { digits: 8 }), sha1);
      assert.equal(totp(RFC_SEED_SHA256, at, { digits: 8, algorithm: "sha256" }), sha256);
      assert.equal(totp(RFC_SEED_SHA512, at, { digits: 8, algorithm: "sha512" }), sha512);
      // The 6-digit code the portal uses is the same truncation modulo 10^6.
      assert.equal(totp(RFC_SEED_SHA1, at), sha1.slice(2));
    });
  }

  test("the step counter is floor(T / 30), as 64-bit big-endian (T = 20000000000 needs more than 32 bits)", () => {
    assert.equal(totpStep(59_000), 1);
    assert.equal(totpStep(20000000000 * 1000), 666666666);
    assert.equal(totpStep(new Date(1111111109 * 1000)), 0x23523ec);
  });
});

describe("RFC 4648 section 10: base32", () => {
  const vectors: [string, string][] = [
    ["", ""],
    ["f", "MY======"],
    ["fo", "MZXQ===="],
    ["foo", "MZXW6==="],
    ["foob", "MZXW6YQ="],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI======"],
  ];
  for (const [plain, encoded] of vectors) {
    test(JSON.stringify(plain), () => {
      assert.equal(base32Encode(Buffer.from(plain), { padding: true }), encoded);
      assert.equal(base32Decode(encoded).toString(), plain);
      assert.equal(base32Decode(encoded.toLowerCase().replace(/=/g, "")).toString(), plain);
    });
  }

  test("decoding ignores spaces and hyphens and refuses other characters", () => {
    assert.equal(base32Decode("MZXW 6YTB-OI").toString(), "foobar");
    assert.throws(() => base32Decode("MZXW1YTB"), /base32/);
    assert.throws(() => base32Decode("MZXW8YTB"), /base32/);
  });

  test("a generated secret is 20 bytes and round-trips; the demo secret is valid base32 of 20 bytes", () => {
    const secret = generateTotpSecret();
    assert.equal(secret.length, 20);
    assert.deepEqual(base32Decode(base32Encode(secret)), secret);
    assert.notDeepEqual(generateTotpSecret(), secret);
    assert.equal(base32Decode(DEMO_TOTP_SECRET).length, 20);
    assert.equal(base32Encode(base32Decode(DEMO_TOTP_SECRET)), DEMO_TOTP_SECRET);
  });
});

describe("verifyTotp", () => {
  const secret = RFC_SEED_SHA1;
  const now = 1_700_000_000_000; // a fixed instant
  const step = totpStep(now);
  const codeAt = (s: number) => hotp(secret, s);

  test("accepts the current step and one step either side, and returns the matching step", () => {
    assert.equal(verifyTotp(secret, codeAt(step), { at: now }), step);
    assert.equal(verifyTotp(secret, codeAt(step - 1), { at: now }), step - 1);
    assert.equal(verifyTotp(secret, codeAt(step + 1), { at: now }), step + 1);
  });

  test("refuses codes two steps away, of another secret, or of the wrong shape", () => {
    assert.equal(verifyTotp(secret, codeAt(step - 2), { at: now }), null);
    assert.equal(verifyTotp(secret, codeAt(step + 2), { at: now }), null);
    assert.equal(verifyTotp(generateTotpSecret(), codeAt(step), { at: now }), null);
    for (const junk of ["", "12345", "1234567", "12345a", " 123456", "１２３４５６"]) {
      assert.equal(verifyTotp(secret, junk, { at: now }), null, JSON.stringify(junk));
    }
  });

  test("refuses a replay: a step at or before the last used one never matches again", () => {
    assert.equal(verifyTotp(secret, codeAt(step), { at: now, lastUsedStep: step }), null);
    assert.equal(verifyTotp(secret, codeAt(step - 1), { at: now, lastUsedStep: step }), null);
    assert.equal(verifyTotp(secret, codeAt(step - 1), { at: now, lastUsedStep: step - 1 }), null);
    // The next step is still fine.
    assert.equal(verifyTotp(secret, codeAt(step + 1), { at: now, lastUsedStep: step }), step + 1);
    assert.equal(verifyTotp(secret, codeAt(step), { at: now, lastUsedStep: step - 1 }), step);
  });
});

test("otpauth URI: issuer-prefixed label, unpadded base32 secret, SHA1 / 6 digits / 30 s", () => {
  const uri = new URL(otpauthUri({ secret: Buffer.from("foobar"), account: "ann@example.test", issuer: "MSSP Portal" }));
  assert.equal(uri.protocol, "otpauth:");
  assert.equal(uri.host, "totp");
  assert.equal(decodeURIComponent(uri.pathname), "/MSSP Portal:ann@example.test");
  assert.equal(uri.searchParams.get("secret"), "MZXW6YTBOI");
  assert.equal(uri.searchParams.get("issuer"), "MSSP Portal");
  assert.equal(uri.searchParams.get("algorithm"), "SHA1");
  assert.equal(uri.searchParams.get("digits"), "6");
  assert.equal(uri.searchParams.get("period"), "30");
  assert.equal(formatSecretForDisplay("ABCDEFGHIJ"), "ABCD EFGH IJ");
});
