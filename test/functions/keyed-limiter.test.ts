import { expect, it } from 'vitest';
import { keyedLimiter } from '../../src/usecases/usage/keyed-limiter.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

it('runs at most `limit` tasks at once, queues the rest, and a key already waiting is queued once', async () => {
  const limit = keyedLimiter<string>(2);
  let running = 0;
  let most = 0;
  const started: string[] = [];
  const task = (key: string) => async () => {
    started.push(key);
    most = Math.max(most, ++running);
    await tick();
    running--;
    return key;
  };
  const answers = await Promise.all([
    limit('a', task('a')),
    limit('b', task('b')),
    limit('c', task('c')),
    limit('c', task('c twice')),
    limit('d', task('d')),
  ]);
  expect(answers).toEqual(['a', 'b', 'c', 'c', 'd']); // the second 'c' shares the first one's wait and answer
  expect(started).toEqual(['a', 'b', 'c', 'd']);
  expect(most).toBe(2);
});

it('a failing task frees its place and rejects only its own callers', async () => {
  const limit = keyedLimiter<number>(1);
  const failed = limit('x', async () => {
    throw new Error('boom');
  });
  const next = limit('y', async () => 7);
  await expect(failed).rejects.toThrow('boom');
  await expect(next).resolves.toBe(7);
});
