/**
 * The text form of a UUID, in either case: what our ids look like and what PostgreSQL's `uuid` type accepts.
 * Checked before a query so that a malformed id is "not found" (or a bad field) rather than a cast error.
 */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID_PATTERN.test(value);
