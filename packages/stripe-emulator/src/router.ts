/** Route table: `METHOD /v1/path/:param` → handler. API handlers return a stored object or list; pages return HTML. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Emu } from './emu.ts';
import type { Params } from './form.ts';
import type { KeyMode } from './limits.ts';

export interface Req {
  method: string;
  path: string;
  params: Params;
  path_params: Record<string, string>;
  headers: IncomingHttpHeaders;
}

export interface PageResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export type ApiHandler = (req: Req, emu: Emu) => unknown;
export type PageHandler = (req: Req, emu: Emu) => PageResponse | Promise<PageResponse>;

/** Throttles a call before it runs (limits.ts): throws Stripe's 429, or returns what ends its time in flight. */
export type Admit = (req: Req, emu: Emu, mode: KeyMode) => (() => void) | undefined;
/** Authenticates a route that does not take a secret key (the v2 meter event stream's session token). */
export type Authenticate = (authorization: string | undefined, emu: Emu) => KeyMode;

export type Route =
  | { method: string; pattern: string; api: ApiHandler; admit?: Admit; authenticate?: Authenticate }
  | { method: string; pattern: string; page: PageHandler };

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

export class Router {
  private compiled: Compiled[] = [];

  add(routes: Route[]): this {
    for (const route of routes) {
      const names: string[] = [];
      const re = new RegExp(
        '^' +
          route.pattern.replace(/:([a-z_]+)/g, (_, n: string) => {
            names.push(n);
            return '([^/]+)';
          }) +
          '/?$',
      );
      this.compiled.push({ route, re, names });
    }
    return this;
  }

  match(
    method: string,
    path: string,
  ): { route: Route; path_params: Record<string, string> } | 'method_not_allowed' | undefined {
    let pathMatched = false;
    for (const c of this.compiled) {
      const m = c.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (c.route.method !== method) continue;
      const path_params: Record<string, string> = {};
      c.names.forEach((n, i) => {
        path_params[n] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { route: c.route, path_params };
    }
    return pathMatched ? 'method_not_allowed' : undefined;
  }
}
