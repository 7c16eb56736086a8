/**
 * The emulator on its own thread. In the local stack it shares the machine with the functions; on the same event
 * loop its work (form parsing, billing, persisting a state that grows to megabytes) would stall every request
 * the functions serve. On a worker thread it runs beside them, and callers still reach it only over HTTP.
 */
import { Worker } from 'node:worker_threads';
import { silentLogger } from '../logger.ts';
import type { RunningStripeEmulator, StripeEmulatorOptions } from '../index.ts';
import type { FromThread, ToThread } from './messages.ts';
import { type ThreadEntry, threadEntry } from './thread-entry.ts';

export async function startStripeEmulatorThread(
  options: StripeEmulatorOptions = {},
  start?: ThreadEntry,
): Promise<RunningStripeEmulator> {
  const { logger = silentLogger, ...threadOptions } = options;
  start ??= await threadEntry();
  const worker = new Worker(start.url, {
    workerData: { ...(start.kind === 'tsx' ? { entry: start.entry } : {}), options: threadOptions },
  });
  let nextId = 0;
  const waiting = new Map<number, () => void>();
  const ask = (op: ToThread['op']) =>
    new Promise<void>((resolve) => {
      const id = ++nextId;
      waiting.set(id, resolve);
      worker.postMessage({ id, op } satisfies ToThread);
    });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // A thread that dies (it should not) must not leave a caller waiting for ever.
  void exited.then(() => {
    for (const resolve of waiting.values()) resolve();
    waiting.clear();
  });

  const address = await new Promise<{ url: string; port: number; host: string }>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: FromThread) => {
      switch (message.type) {
        case 'listening':
          return resolve(message);
        case 'failed':
          return reject(Object.assign(new Error(message.message), message.code ? { code: message.code } : {}));
        case 'log':
          return logger[message.level](message.msg, message.fields);
        case 'done': {
          waiting.get(message.id)?.();
          waiting.delete(message.id);
        }
      }
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });

  let closing: Promise<void> | undefined;
  // Never silently: an emulator that died takes the local stack's Stripe with it.
  worker.on('error', (error) => logger.error('stripe emulator thread failed', { cause: String(error) }));
  void exited.then(() => {
    if (!closing) logger.error('stripe emulator thread stopped; restart the local stack');
  });
  return {
    ...address,
    waitForIdle: () => ask('waitForIdle'),
    // The thread saved its state when it answered; nothing else of it needs to finish.
    close: () =>
      (closing ??= ask('close')
        .then(() => worker.terminate())
        .then(() => exited)),
  };
}
