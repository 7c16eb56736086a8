/**
 * `aisyst-billing doctor`: one environment checked, one small check per module (checks/*), each answering one
 * line. A check may carry a `fix` that repairs through the Stripe API what it found wrong; fixes are idempotent.
 */
import type { AppContext } from '../context.ts';

export type CheckStatus = 'ok' | 'fixed' | 'problem' | 'warning';

export interface CheckResult {
  id: string;
  status: CheckStatus;
  /** What was found, one line. */
  detail: string;
  /** What to do about it, one line ('' when nothing). */
  hint: string;
}

/** The functions' context (fixes run the same use cases: catalog sync, event replay, meter delivery) plus doctor's. */
export interface DoctorContext extends AppContext {
  /** `--live` was given (a live key is only ever touched with it). */
  live: boolean;
  /** What the fixes learned that the checks after them need (a new endpoint's secret), and lines to print once. */
  state: DoctorState;
}

export interface DoctorState {
  /** The signing secret of the endpoint `--fix` created in this run (Stripe shows it only then). */
  createdEndpointSecret?: string;
  /** The setup fee price `--fix` found or made, when STRIPE_SETUP_FEE_PRICE_ID names another. */
  setupFeePriceId?: string;
  /** `supabase secrets set …` lines the operator must run, printed once at the end. */
  secretsToSet: string[];
  /** Shared fixes run once per doctor run (the catalog sync repairs three checks). */
  fixesRun: Set<string>;
}

export interface Check {
  id: string;
  run(ctx: DoctorContext): Promise<Omit<CheckResult, 'id'>>;
  /** Repairs what `run` reported as a problem; the runner re-runs the check afterwards. */
  fix?(ctx: DoctorContext): Promise<void>;
}

export const result = (status: CheckStatus, detail: string, hint = ''): Omit<CheckResult, 'id'> => ({
  status,
  detail,
  hint,
});
