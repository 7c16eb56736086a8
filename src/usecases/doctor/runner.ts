/**
 * Looks at everything first, so that each line says how the environment WAS: a check another check's fix repaired
 * (billing_plans by the catalog sync the prices asked for) still reads `fixed`, not `ok`. Then, with `fix`, each
 * check that was not ok gets its fix (if it has one), in order, and after all fixes a second look: `fixed` when
 * that look is clean, else its answer. A check (or fix) that throws is a `problem` naming the error; the rest run.
 */
import type { Check, CheckResult, DoctorContext } from './types.ts';

export async function runDoctor(
  ctx: DoctorContext,
  checks: readonly Check[],
  opts: { fix: boolean },
): Promise<CheckResult[]> {
  const first: CheckResult[] = [];
  for (const check of checks) first.push(await safely(check, ctx));
  if (!opts.fix) return first;
  const failedFixes = new Map<string, string>();
  for (const [i, check] of checks.entries()) {
    if (first[i]!.status === 'ok' || !check.fix) continue;
    try {
      await check.fix(ctx);
    } catch (error) {
      failedFixes.set(check.id, message(error));
    }
  }
  // Every fix first, then the second looks: a check may be repaired by a later one's fix (config by the secret
  // the endpoint's fix produced).
  const results: CheckResult[] = [];
  for (const [i, check] of checks.entries()) {
    const found = first[i]!;
    const failed = failedFixes.get(check.id);
    if (found.status === 'ok') results.push(found);
    else if (failed !== undefined)
      results.push({ id: check.id, status: 'problem', detail: `fix failed: ${failed}`, hint: found.hint });
    else {
      const again = await safely(check, ctx);
      results.push(again.status === 'ok' ? { ...again, status: 'fixed' } : again);
    }
  }
  return results;
}

/** Exit 0 when no problem remains (warnings are not failures), else 1. */
export const doctorExitCode = (results: readonly CheckResult[]): number =>
  results.some((r) => r.status === 'problem') ? 1 : 0;

async function safely(check: Check, ctx: DoctorContext): Promise<CheckResult> {
  try {
    return { id: check.id, ...(await check.run(ctx)) };
  } catch (error) {
    return { id: check.id, status: 'problem', detail: `could not check: ${message(error)}`, hint: '' };
  }
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}

/** The table the CLI prints: id, status, detail, then the hint indented under it. */
export function formatDoctorTable(results: readonly CheckResult[]): string {
  const idWidth = Math.max(...results.map((r) => r.id.length));
  return results
    .map((r) => {
      const line = `${r.id.padEnd(idWidth)}  ${r.status.padEnd(7)}  ${r.detail}`;
      return r.hint ? `${line}\n${' '.repeat(idWidth + 11)}→ ${r.hint}` : line;
    })
    .join('\n');
}
