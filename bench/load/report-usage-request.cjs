// autocannon's worker threads load request hooks by file path (a closure cannot cross threads): this one turns each
// request into a report-usage of a new call, rotating over the organisations in BENCH_LOAD (set by bench/load.ts).
const { orgIds, callPrefix } = JSON.parse(process.env.BENCH_LOAD);
let n = 0;
module.exports = (req) => {
  const i = n++;
  const body = { org_id: orgIds[i % orgIds.length], call_id: `${callPrefix}-${i}`, call_duration_seconds: 30 };
  return { ...req, body: JSON.stringify(body) };
};
