/** The verified user of a request, in the shape the console's use cases take; undefined for anyone else. */
import type { Caller } from '../route.ts';

export const signedInUser = (caller: Caller) =>
  caller.kind === 'user' ? { userId: caller.userId, email: caller.email } : undefined;
