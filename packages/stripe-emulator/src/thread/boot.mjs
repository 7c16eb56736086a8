// A worker thread's first module: TypeScript through tsx's loader, then the entry named by the parent.
// (A worker starts without the parent's loader hooks, so a .ts entry cannot be the worker's own first file.)
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
