/** What the local stack and its emulator thread say to each other (structured-clone values only). */
import type { LogFields } from '../logger.ts';
import type { StripeEmulatorOptions } from '../index.ts';

/** The emulator's options minus the logger: log lines cross the thread boundary as messages instead. */
export type ThreadOptions = Omit<StripeEmulatorOptions, 'logger'>;

export type ToThread = { id: number; op: 'waitForIdle' | 'close' };

export type FromThread =
  | { type: 'listening'; url: string; port: number; host: string }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; msg: string; fields?: LogFields }
  | { type: 'done'; id: number };
