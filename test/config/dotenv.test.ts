import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDotEnv, mergeEnv, readEnv } from '../../src/config/dotenv.ts';

describe('loadDotEnv', () => {
  it('reads KEY=VALUE lines, export prefixes, comments and blank lines', () => {
    const text = [
      '# local stack',
      '',
      'PORT=3000',
      'export STRIPE_SECRET_KEY=sk_test_abc',
      '  SPACED  =  value with spaces  ',
      'INLINE=keep # a comment',
      'EMPTY=',
      'HASH_IN_VALUE=postgres://u:pa#ss@h/db',
      'not a variable line',
    ].join('\n');
    expect(loadDotEnv(text)).toEqual({
      PORT: '3000',
      STRIPE_SECRET_KEY: 'sk_test_abc',
      SPACED: 'value with spaces',
      INLINE: 'keep',
      EMPTY: '',
      HASH_IN_VALUE: 'postgres://u:pa#ss@h/db',
    });
  });

  it('handles the three quote styles', () => {
    const text = [
      `SINGLE='literal \\n # not a comment'`,
      'DOUBLE="line one\\nline two \\"quoted\\"" # comment',
      'BACKTICK=`it\'s "both"`',
      'JSON={"default":"sb_secret_x"}',
      `QUOTED_JSON='{"keys":[]}'`,
    ].join('\n');
    expect(loadDotEnv(text)).toEqual({
      SINGLE: 'literal \\n # not a comment',
      DOUBLE: 'line one\nline two "quoted"',
      BACKTICK: 'it\'s "both"',
      JSON: '{"default":"sb_secret_x"}',
      QUOTED_JSON: '{"keys":[]}',
    });
  });

  it('reads quoted values over several lines, CRLF files, and lets the last key win', () => {
    expect(loadDotEnv('KEY="-----BEGIN\r\nabc\r\n-----END"\r\nA=1\r\nA=2\r\n')).toEqual({
      KEY: '-----BEGIN\nabc\n-----END',
      A: '2',
    });
  });

  it('keeps an unclosed quote as written', () => {
    expect(loadDotEnv('A="open\nB=2')).toEqual({ A: '"open', B: '2' });
  });
});

describe('mergeEnv / readEnv', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('puts .env under the process environment; an empty process variable does not hide .env', () => {
    expect(mergeEnv({ PORT: '3000', A: 'file', B: 'file' }, { A: 'process', B: '', C: undefined, D: '' })).toEqual({
      PORT: '3000',
      A: 'process',
      B: 'file',
      D: '',
    });
  });

  it('reads <cwd>/.env when present', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aisyst-env-'));
    dirs.push(dir);
    expect(await readEnv(dir, { PORT: '1' })).toEqual({ PORT: '1' });
    await writeFile(join(dir, '.env'), 'PORT=2\nPGLITE_DIR=.data/x\n');
    expect(await readEnv(dir, { PORT: '1' })).toEqual({ PORT: '1', PGLITE_DIR: '.data/x' });
  });
});
