/**
 * Sign-up and password sign-in fields that the database cannot take (or a hash cannot tell apart) are refused
 * before any query, with GoTrue's 400 `validation_failed` naming the field — never a 500 from PostgreSQL, whose
 * text and jsonb refuse NUL (src/http/text-rules.ts has the rules and why).
 * - email: printable, as an identifier must be (no NUL, control, invisible or unpaired-surrogate characters);
 * - password: no NUL and no unpaired surrogate (UTF-8 encoding would turn "\ud800" and "\udbff" into one password);
 * - data (sign-up's user metadata, stored as jsonb): no NUL or unpaired surrogate in any key or string.
 */
import { isPrintable, isStorableJson, isStorableText } from '../http/text-rules.ts';
import { authError } from './gotrue-response.ts';

export function refuseUnstorable(fields: {
  email?: unknown;
  password?: unknown;
  data?: unknown;
}): Response | undefined {
  const bad = (field: string, rule: string) => authError(400, 'validation_failed', `${field}: ${rule}`, { field });
  if (typeof fields.email === 'string' && !isPrintable(fields.email))
    return bad(
      'email',
      'must be printable characters only (no NUL, control, invisible or unpaired surrogate characters)',
    );
  if (typeof fields.password === 'string' && !isStorableText(fields.password))
    return bad('password', 'must not contain NUL or unpaired surrogate characters');
  if (!isStorableJson(fields.data))
    return bad('data', 'must not contain NUL or unpaired surrogate characters (or nest deeper than 64 levels)');
  return undefined;
}
