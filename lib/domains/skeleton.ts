// A confusable "skeleton" of a domain name (after Unicode TS #39's idea):
// two names with the same skeleton look alike to a person. Built from the
// Unicode form: NFKC, lower case, each character that looks like a Latin
// letter or digit mapped to it, combining marks removed. Not the whole
// confusables table: the scripts homograph attacks use in practice
// (Cyrillic, Greek, Armenian, Latin look-alikes, full-width forms via NFKC),
// plus digit/letter pairs (0/o, 1/l/i) and rn/m, vv/w.

const MAP: Record<string, string> = {
  // Cyrillic
  "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "l", "ї": "l", "ј": "j", "к": "k",
  "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r", "ѕ": "s", "т": "t", "у": "y", "ү": "y",
  "х": "x", "ԝ": "w", "ѡ": "w", "ь": "b", "п": "n", "и": "n", "л": "n", "з": "3", "ч": "4", "б": "6",
  // Greek
  "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "l", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
  "χ": "x", "γ": "y", "ω": "w", "μ": "u", "ϲ": "c", "ϳ": "j",
  // Armenian
  "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n", "զ": "q", "ա": "w",
  // Latin look-alikes
  "ı": "l", "ȷ": "j", "ɡ": "g", "ɑ": "a", "ʀ": "r", "ɩ": "l", "ł": "l", "đ": "d", "ħ": "h", "ø": "o", "ß": "ss",
  // Digits and letters that pass for each other.
  "0": "o", "1": "l", "i": "l", "|": "l",
};

export function skeleton(unicodeDomain: string): string {
  const folded = unicodeDomain.normalize("NFKC").toLowerCase();
  let out = "";
  for (const ch of folded) out += MAP[ch] ?? ch;
  return out
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .replace(/rn/g, "m")
    .replace(/vv/g, "w")
    .replace(/[‐-‒–—−]/g, "-");
}
