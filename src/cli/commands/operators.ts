/**
 * `aisyst-billing operators add|remove <email>` and `operators list`: who may open the operator console (/admin).
 * An operator is a Supabase Auth user whose app_metadata.role is `operator` (repositories/operators.ts).
 */
import { openDatabase } from '../../adapters/db/open-database.ts';
import { readEnv } from '../../config/dotenv.ts';
import { ConfigError, parseConfig } from '../../config/parse-config.ts';
import type { Config } from '../../config/types.ts';
import { grantOperatorRole, listOperators, revokeOperatorRole } from '../../repositories/operators.ts';
import type { Command } from '../command.ts';
import type { Terminal } from '../terminal.ts';

const HELP = `usage: aisyst-billing operators add <email>
       aisyst-billing operators remove <email>
       aisyst-billing operators list

Operators see the operator console at /admin (revenue, customers, pipelines) and may start its actions (retry
deliveries, replay Stripe events, reconcile), each recorded in operator_actions. The user must have signed up
first; "add" sets app_metadata.role = "operator" on that Supabase Auth user, "remove" takes it away. It takes
effect at the user's next request: the functions check the role in the database every time.

Database: DATABASE_URL or PGLITE_DIR (must not be in use by npm start).`;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export const command: Command = {
  name: 'operators',
  summary: 'operators add|remove <email> | list: who may use the operator console at /admin',
  help: HELP,
  async run(args, processEnv, terminal) {
    const [sub, email, ...rest] = args;
    if (rest.length > 0) return usageError(terminal, `unexpected '${rest[0]}'`);
    if (sub === 'list' && email !== undefined) return usageError(terminal, `unexpected '${email}'`);
    if (sub === 'add' || sub === 'remove') {
      if (!email || !EMAIL.test(email)) return usageError(terminal, `${sub} needs the user's e-mail address`);
    } else if (sub !== 'list') return usageError(terminal, `unknown subcommand '${sub ?? ''}'`);

    let config: Config;
    try {
      config = parseConfig(await readEnv(terminal.cwd, processEnv));
    } catch (err) {
      if (err instanceof ConfigError) {
        terminal.err(err.message);
        return 1;
      }
      throw err;
    }
    const sql = await openDatabase(config.database, { existing: true });
    try {
      if (sub === 'add') {
        const id = await grantOperatorRole(sql, email!);
        if (!id) {
          terminal.err(`aisyst-billing operators: no user with the e-mail ${email} (they must sign up first)`);
          return 1;
        }
        terminal.out(`${email} is an operator (user ${id})`);
      } else if (sub === 'remove') {
        if (!(await revokeOperatorRole(sql, email!))) {
          terminal.err(`aisyst-billing operators: no user with the e-mail ${email}`);
          return 1;
        }
        terminal.out(`${email} is not an operator`);
      } else {
        const operators = await listOperators(sql);
        if (operators.length === 0) terminal.out('no operators');
        for (const o of operators) terminal.out(`${(o.email ?? '').padEnd(40)} ${o.id}`);
      }
      return 0;
    } finally {
      await sql.close();
    }
  },
};

function usageError(terminal: Terminal, message: string): number {
  terminal.err(`aisyst-billing operators: ${message}\n\n${HELP}`);
  return 2;
}
