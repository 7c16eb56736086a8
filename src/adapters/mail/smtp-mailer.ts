/**
 * The Mailer port over SMTP with nodemailer (nodemailer.com/smtp): `SMTP_URL` is `smtp://user:pass@host:587` (STARTTLS
 * when the server offers it) or `smtps://…:465` (TLS from the start). One pooled transport per process.
 * Short timeouts: a mail server that does not answer must not hold a delivery pass; the outbox retries.
 * nodemailer is loaded on the first send, so a function that never sends e-mail never loads it.
 */
import type { Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from '../../ports/mailer.ts';

export const DEFAULT_MAIL_FROM = 'AiSyst Billing <billing@localhost>';

export function createSmtpMailer(smtpUrl: string, from: string = DEFAULT_MAIL_FROM): Mailer {
  const url = new URL(smtpUrl);
  let transport: Promise<Transporter> | undefined;
  const open = async (): Promise<Transporter> => {
    const { default: nodemailer } = await import('nodemailer');
    return nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      ...(url.username
        ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
        : {}),
      connectionTimeout: 5_000,
      greetingTimeout: 5_000,
      socketTimeout: 10_000,
    });
  };
  return {
    async send(message: MailMessage) {
      transport ??= open();
      await (await transport).sendMail({ from, ...message });
    },
    async close() {
      if (transport) (await transport).close();
    },
  };
}
