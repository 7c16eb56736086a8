/** The entitlement and usage-alert variables: defaults leave the config unchanged, bad values are named. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/parse-config.ts';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('PAST_DUE_GRACE_DAYS, SMTP_URL, MAIL_FROM, SMTP_PORT', () => {
  it('at their defaults are absent from the config, as if unset', () => {
    expect(parseConfig({ PAST_DUE_GRACE_DAYS: '3', SMTP_PORT: '1025' })).toEqual(parseConfig({}));
  });

  it('are read when set', () => {
    const config = parseConfig({
      PAST_DUE_GRACE_DAYS: '7',
      SMTP_URL: 'smtps://user:secret@smtp.example.com:465',
      MAIL_FROM: 'AiSyst Billing <billing@example.com>',
      SMTP_PORT: '2525',
    });
    expect(config).toMatchObject({
      pastDueGraceDays: 7,
      smtpUrl: 'smtps://user:secret@smtp.example.com:465',
      mailFrom: 'AiSyst Billing <billing@example.com>',
      smtpPort: 2525,
    });
  });

  it('name every bad one, never its value', () => {
    const problems = problemsOf({
      PAST_DUE_GRACE_DAYS: '-1',
      SMTP_URL: 'https://user:hunter2@mail.example.com',
      MAIL_FROM: 'not an address',
      SMTP_PORT: '70000',
    });
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['PAST_DUE_GRACE_DAYS', 'SMTP_URL', 'MAIL_FROM', 'SMTP_PORT']);
    expect(problems.join('\n')).not.toContain('hunter2');
  });
});
