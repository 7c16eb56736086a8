/** Shared look of the emulator's hosted pages: one inline stylesheet, no external assets, escaped text. */
export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

export function money(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-IE', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1f36;background:#f6f8fb}
main{max-width:960px;margin:0 auto;padding:32px 20px;display:grid;gap:40px;grid-template-columns:1fr 1fr}
@media (max-width:760px){main{grid-template-columns:1fr}}
h1{font-size:1.25rem;margin:0 0 4px}h2{font-size:1rem;margin:0 0 16px;color:#425466}
.summary,.pay{background:#fff;border-radius:12px;padding:28px;box-shadow:0 2px 12px rgba(26,31,54,.08)}
.total{font-size:2rem;font-weight:600;margin:8px 0 24px}
table{width:100%;border-collapse:collapse}td{padding:10px 0;border-bottom:1px solid #e6ebf1;vertical-align:top}
td.amount{text-align:right;white-space:nowrap}tfoot td{font-weight:600;border-bottom:0}
.muted{color:#697386;font-size:.875rem}
label{display:block;font-size:.875rem;font-weight:500;margin:14px 0 6px}
input{width:100%;padding:11px 12px;border:1px solid #cfd7df;border-radius:6px;font:inherit}
input:focus{outline:2px solid #635bff;outline-offset:1px;border-color:#635bff}
.row{display:grid;grid-template-columns:1fr 1fr;gap:12px}
button{margin-top:22px;width:100%;padding:13px;border:0;border-radius:6px;background:#635bff;color:#fff;font:600 1rem system-ui,sans-serif;cursor:pointer}
button:hover{background:#4b45c6}button.danger{background:#c0123c}
.error{margin-top:16px;padding:12px;border-radius:6px;background:#fdecef;color:#a4122f}
.back{display:inline-block;margin-bottom:20px;color:#635bff;text-decoration:none}
.badge{display:inline-block;font-size:.75rem;padding:2px 8px;border-radius:10px;background:#ffe9c7;color:#8a4b00;margin-left:6px}
footer{grid-column:1/-1;text-align:center}`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>${body}</body></html>`;
}
