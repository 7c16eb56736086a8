/**
 * A vitest reporter that ends a run with one short note on what it did not run and how to run it: the PostgreSQL
 * suites without TEST_DATABASE_URL, the browser suites without Chromium, the Python client's suite without httpx
 * and pytest. With CI=true nothing is skipped (the
 * suites fail instead), so there is nothing to say.
 */
import { relative } from 'node:path';
import type { Reporter, TestModule, TestSuite, Vitest } from 'vitest/node';
import { CHROMIUM_PATH, chromiumFound } from '../web/support/chromium.ts';

const EXAMPLE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export default class SkippedSuitesReporter implements Reporter {
  private ctx: Vitest | undefined;

  onInit(ctx: Vitest): void {
    this.ctx = ctx;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const postgres = new Map<string, string[]>();
    const browser = new Map<string, string[]>();
    let python = false;
    for (const module of modules) {
      for (const suite of module.children.allSuites()) {
        if (!skippedAtTop(suite)) continue;
        const file = relative(this.ctx?.config.root ?? process.cwd(), module.moduleId);
        if (!process.env.TEST_DATABASE_URL && /postgres|TEST_DATABASE_URL/i.test(suite.fullName))
          add(postgres, file, suite.name);
        else if (!chromiumFound && file.startsWith('test/web/')) add(browser, file, suite.name);
        else if (file.startsWith('test/clients/python')) python = true;
      }
    }
    const lines: string[] = [];
    if (postgres.size > 0) {
      lines.push(
        `Skipped ${count(postgres)} PostgreSQL suite(s) in ${postgres.size} file(s): TEST_DATABASE_URL is not set. Run them with`,
        `  TEST_DATABASE_URL=${EXAMPLE_URL} npm test   (any server you may create databases on; the database is created if missing)`,
      );
      lines.push(...list(postgres));
    }
    if (browser.size > 0) {
      lines.push(
        `Skipped ${count(browser)} browser suite(s) in ${browser.size} file(s): no Chromium at ${CHROMIUM_PATH}. ` +
          'Install it (apt-get install chromium) or set CHROMIUM_PATH.',
      );
      lines.push(...list(browser));
    }
    if (python)
      lines.push(
        "Skipped the Python client's suite: httpx and pytest are missing. Install them with " +
          "pip install -e './clients/python[test]' (or apt-get install python3-httpx python3-pytest and AISYST_PYTHON=/usr/bin/python3).",
      );
    if (lines.length === 0) return;
    const text = `\n${lines.join('\n')}\n`;
    if (this.ctx) this.ctx.logger.log(text);
    else console.log(text);
  }
}

/** A skipped suite whose parent ran (or that sits at the top of its file): the one a developer would name. */
function skippedAtTop(suite: TestSuite): boolean {
  return suite.state() === 'skipped' && (suite.parent.type === 'module' || suite.parent.state() !== 'skipped');
}

function add(map: Map<string, string[]>, file: string, title: string): void {
  map.set(file, [...(map.get(file) ?? []), title.replace(/\s*\(set TEST_DATABASE_URL to run\)$/, '')]);
}

function count(map: Map<string, string[]>): number {
  return [...map.values()].reduce((n, titles) => n + titles.length, 0);
}

function list(map: Map<string, string[]>): string[] {
  return [...map].map(([file, titles]) => `  - ${file}: ${titles.join('; ')}`);
}
