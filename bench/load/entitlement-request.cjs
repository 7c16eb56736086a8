// As report-usage-request.cjs: each request asks entitlement for the next organisation in BENCH_LOAD.
const { orgIds } = JSON.parse(process.env.BENCH_LOAD);
let n = 0;
module.exports = (req) => ({ ...req, path: `/functions/v1/entitlement?org_id=${orgIds[n++ % orgIds.length]}` });
