/** The emulator thread: runs the emulator, forwards its log lines, answers `waitForIdle` and `close`. */
import { parentPort, workerData } from 'node:worker_threads';
import type { LogFields, Logger } from '../logger.ts';
import { startStripeEmulator } from '../index.ts';
import type { FromThread, ThreadOptions, ToThread } from './messages.ts';

const port = parentPort!;
const send = (message: FromThread) => port.postMessage(message);

function forwardingLogger(base: LogFields = {}): Logger {
  const log = (level: 'info' | 'warn' | 'error') => (msg: string, fields?: LogFields) =>
    send({ type: 'log', level, msg, fields: { ...base, ...fields } });
  return {
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => forwardingLogger({ ...base, ...fields }),
  };
}

const options = (workerData as { options: ThreadOptions }).options;
try {
  const emulator = await startStripeEmulator({ ...options, logger: forwardingLogger() });
  port.on('message', async ({ id, op }: ToThread) => {
    await (op === 'close' ? emulator.close() : emulator.waitForIdle());
    send({ type: 'done', id });
    if (op === 'close') port.close();
  });
  send({ type: 'listening', url: emulator.url, port: emulator.port, host: emulator.host });
} catch (error) {
  const { message, code } = error as NodeJS.ErrnoException;
  send({ type: 'failed', message: String(message), ...(code ? { code } : {}) });
}
