/**
 * `npm run bench`: every benchmark, one table. Figures that depend on the machine are reported beside a
 * baseline measured in the same run (as a ratio), so that runs on different machines can be compared.
 * Benchmarks are never assertions: nothing here fails on a slow machine.
 */
export interface Figure {
  name: string;
  value: number;
  unit: string;
}

type Suite = { title: string; load: () => Promise<() => Promise<Figure[]>> };

const SUITES: Suite[] = [
  { title: 'Stripe emulator', load: async () => (await import('./emulator.ts')).benchEmulator },
  { title: 'Billing functions', load: async () => (await import('./functions.ts')).benchFunctions },
  { title: 'Voice platform webhooks', load: async () => (await import('./voice.ts')).benchVoice },
  {
    title: 'Meter backlog: one customer',
    load: async () => (await import('./delivery.ts')).benchBacklogOneCustomer,
  },
  {
    title: 'Meter backlog: 200 customers',
    load: async () => (await import('./delivery.ts')).benchBacklogManyCustomers,
  },
  { title: 'Ingestion across organisations', load: async () => (await import('./ingestion.ts')).benchIngestion },
  { title: 'Entitlement beside report-usage', load: async () => (await import('./entitlement.ts')).benchEntitlement },
  { title: 'Customer pages', load: async () => (await import('./web.ts')).benchWeb },
];

function formatValue(f: Figure): string {
  const digits = Math.abs(f.value) >= 100 ? 0 : Math.abs(f.value) >= 10 ? 1 : 2;
  return `${f.value.toFixed(digits)} ${f.unit}`;
}

const only = process.argv.slice(2);
let failed = false;
for (const suite of SUITES) {
  if (only.length && !only.some((o) => suite.title.toLowerCase().includes(o.toLowerCase()))) continue;
  console.log(`\n## ${suite.title}`);
  try {
    const figures = await (await suite.load())();
    const width = Math.max(...figures.map((f) => f.name.length), 10);
    for (const f of figures) console.log(`  ${f.name.padEnd(width)}  ${formatValue(f)}`);
  } catch (error) {
    failed = true;
    console.log(`  could not run: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exitCode = failed ? 1 : 0;
