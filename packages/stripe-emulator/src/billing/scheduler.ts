/**
 * Billing work that happens at a moment: renewals at a period end, finalisation an hour after an invoice is
 * drafted, payment retries, scheduled cancellations. A task belongs to a test clock (runs while an `advance`
 * passes its time, in time order, with the clock standing at the task's time) or to the wall clock (a timer).
 */
import { newId } from '../ids.ts';
import type { Emu } from '../emu.ts';

export type TaskKind = 'renew' | 'finalize' | 'retry_payment' | 'cancel_at' | 'expire_incomplete';
export interface Task {
  id: string;
  at: number;
  clock: string | null;
  kind: TaskKind;
  ref: string;
  seq: number;
}

export type TaskRunner = (emu: Emu, ref: string, task: Task) => void;

let seq = 0;

export class Scheduler {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private emu: Emu,
    private runners: Record<TaskKind, TaskRunner>,
  ) {}

  get tasks() {
    return this.emu.store.state.tasks;
  }

  schedule(kind: TaskKind, ref: string, at: number, clock: string | null): void {
    this.tasks.push({ id: newId('task', 12), at, clock, kind, ref, seq: seq++ });
    this.emu.store.changed();
  }

  cancel(kind: TaskKind, ref: string): void {
    this.emu.store.state.tasks = this.tasks.filter((t) => !(t.kind === kind && t.ref === ref));
  }

  /** Runs every task of `clock` due at or before `until`, earliest first; tasks added meanwhile join in. */
  runDue(clock: string | null, until: number, onStep?: (at: number) => void): void {
    for (;;) {
      const due = this.tasks
        .filter((t) => t.clock === clock && t.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) return;
      this.emu.store.state.tasks = this.tasks.filter((t) => t !== due);
      onStep?.(due.at);
      try {
        this.runners[due.kind](this.emu, due.ref, due);
      } catch (err) {
        this.emu.logger.error('billing task failed', { kind: due.kind, ref: due.ref, error: (err as Error).message });
      }
    }
  }

  /** Wall-clock tasks (customers without a test clock) are checked on a short timer. */
  start(intervalMs = 250): void {
    this.timer = setInterval(() => this.runDue(null, Date.now() / 1000), intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
