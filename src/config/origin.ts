/**
 * Says where a bad value came from, so that a start-up message points at the right place to fix it: the variable
 * name, followed by "(from .env)" when `.env` supplied it rather than the environment.
 */
import { ConfigError } from './parse-config.ts';

export function variableOrigin(variable: string, fromDotEnv: ReadonlySet<string>): string {
  return fromDotEnv.has(variable) ? `${variable} (from .env)` : variable;
}

/** The same ConfigError, each variable it names followed by "(from .env)" where `.env` set it. */
export function withOrigins(error: ConfigError, fromDotEnv: ReadonlySet<string>): ConfigError {
  if (fromDotEnv.size === 0) return error;
  return new ConfigError(
    error.problems.map((problem) => {
      const seen = new Set<string>();
      return problem.replace(/\b[A-Z][A-Z0-9_]{2,}\b/g, (name) => {
        if (!fromDotEnv.has(name) || seen.has(name)) return name;
        seen.add(name);
        return variableOrigin(name, fromDotEnv);
      });
    }),
  );
}
