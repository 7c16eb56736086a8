/**
 * The local stack's catch-all SMTP server (SMTP_PORT, default 1025; docs/configuration.md): it accepts any message
 * for any recipient and keeps the last MAX_KEPT in memory, shown at `/_dev/mail` (HTML) and `/_dev/mail.json`, so the
 * usage-alert path is real (nodemailer → SMTP → a server) and testable offline. smtp-server speaks SMTP
 * (nodemailer.com/extras/smtp-server), mailparser reads the message. Local stack only: never deployed.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  id: number;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
}

export interface MailCatcher {
  port: number;
  /** smtp://127.0.0.1:<port>: where the local stack's mailer sends. */
  url: string;
  messages(): CaughtMail[];
  /** Answers /_dev/mail and /_dev/mail.json; undefined for any other path. */
  handle(request: Request): Response | undefined;
  close(): Promise<void>;
}

const MAX_KEPT = 500;

export async function startMailCatcher(port: number): Promise<MailCatcher> {
  const caught: CaughtMail[] = [];
  let next = 1;
  const server = new SMTPServer({
    // A catcher on loopback: no TLS to negotiate, no login to give.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    banner: 'aisyst-billing local mail catcher',
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          caught.push({
            id: next++,
            receivedAt: new Date().toISOString(),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : null,
          });
          if (caught.length > MAX_KEPT) caught.shift();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    port: bound,
    url: `smtp://127.0.0.1:${bound}`,
    messages: () => [...caught],
    handle(request) {
      const path = new URL(request.url).pathname;
      if (path === '/_dev/mail.json')
        return new Response(JSON.stringify({ messages: [...caught].reverse() }), {
          headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        });
      if (path === '/_dev/mail' || path === '/_dev/mail/')
        return new Response(renderInbox([...caught].reverse()), {
          headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
        });
      return undefined;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function renderInbox(messages: CaughtMail[]): string {
  const items = messages
    .map(
      (m) => `<article><h2>${escapeHtml(m.subject || '(no subject)')}</h2>
<p><small>${escapeHtml(m.receivedAt)} · from ${escapeHtml(m.from)} · to ${escapeHtml(m.to.join(', '))}</small></p>
<pre>${escapeHtml(m.text)}</pre></article>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local mail (${messages.length})</title>
<style>body{font:15px system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}article{border-top:1px solid #ccc;padding:.5rem 0}pre{white-space:pre-wrap}</style>
</head><body><h1>Mail caught by the local stack</h1><p>${messages.length} message(s), newest first. JSON: <a href="/_dev/mail.json">/_dev/mail.json</a></p>
${items || '<p>Nothing yet.</p>'}</body></html>`;
}
