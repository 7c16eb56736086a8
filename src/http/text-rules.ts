/**
 * What a string from a request may hold before it becomes a key in the ledger or a PostgreSQL `text`.
 *
 * - PostgreSQL's text types cannot hold U+0000 (https://www.postgresql.org/docs/current/datatype-character.html:
 *   "the character with code zero (sometimes called NUL) cannot be stored"): it fails the statement, a 500.
 * - A lone surrogate (U+D800–U+DFFF unpaired) is not a Unicode character at all. The drivers encode strings to
 *   UTF-8 with TextEncoder, which replaces each by U+FFFD, so "\ud800" and "\udbff" would be stored as the same
 *   key: a second, different call answered `duplicate` and never billed.
 *
 * Identifiers (call_id, e-mail) must be PRINTABLE in the sense of Python's `str.isprintable()`
 * (https://docs.python.org/3/library/stdtypes.html#str.isprintable): no code point of Unicode general category
 * C (Cc control, Cf format such as U+200B or U+202E, Cs surrogate, Co private use, Cn unassigned) or Z (Zs, Zl
 * U+2028, Zp U+2029) except the ASCII space. Two ids that look the same are then the same string. Cn follows the
 * runtime's Unicode version (Node and Deno ship a recent one).
 *
 * Display text (an organisation name) is looser — names may need ZWJ for emoji or ZWNJ for Persian — but holds no
 * control character, lone surrogate or line/paragraph separator, nor a bidi embedding/override/isolate control
 * (U+202A–U+202E, U+2066–U+2069), which would make a name read differently from what it is (CVE-2021-42574).
 */
const NOT_PRINTABLE = /(?! )[\p{C}\p{Z}]/u;
const NOT_DISPLAY_TEXT = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;
const LONE_SURROGATE = /\p{Cs}/u;

export const PRINTABLE_MESSAGE =
  'must be printable characters only (no control, format, invisible or unpaired surrogate characters)';
export const DISPLAY_TEXT_MESSAGE =
  'must not contain control characters (such as NUL), line separators, bidi controls or unpaired surrogates';

export const isPrintable = (s: string): boolean => !NOT_PRINTABLE.test(s);
export const isDisplayText = (s: string): boolean => !NOT_DISPLAY_TEXT.test(s);
/** The least any string bound for PostgreSQL (or hashed as UTF-8) must satisfy. */
export const isStorableText = (s: string): boolean => !s.includes('\u0000') && !LONE_SURROGATE.test(s);

/** Whether every string inside a JSON value (keys included) is storable: jsonb refuses \u0000 and lone surrogates too. */
export function isStorableJson(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return isStorableText(value);
  if (typeof value !== 'object' || value === null) return true;
  if (depth > 64) return false;
  if (Array.isArray(value)) return value.every((v) => isStorableJson(v, depth + 1));
  return Object.entries(value).every(([k, v]) => isStorableText(k) && isStorableJson(v, depth + 1));
}
