/**
 * Path matching for ARM routes. ARM paths are case-insensitive (the Azure CLI
 * lower-cases `resourcegroups`), parameters are URL-decoded.
 */
import type { Params, Route } from './context';

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

export interface Router {
  match(
    method: string,
    path: string,
  ): { route: Route; params: Params } | { methodNotAllowed: true } | undefined;
}

export function createRouter(routes: Route[]): Router {
  const compiled: Compiled[] = routes.map((route) => {
    const names: string[] = [];
    const body = route.pattern
      .split('/')
      .map((seg) => {
        const m = /^\{(\w+)\}$/.exec(seg);
        if (m) {
          names.push(m[1] as string);
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    return { route, re: new RegExp(`^${body}/?$`, 'i'), names };
  });
  return {
    match(method, path) {
      let pathMatched = false;
      for (const c of compiled) {
        const m = c.re.exec(path);
        if (!m) continue;
        pathMatched = true;
        if (c.route.method !== method && !(method === 'HEAD' && c.route.method === 'GET')) continue;
        const params: Params = {};
        c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] as string)));
        return { route: c.route, params };
      }
      return pathMatched ? { methodNotAllowed: true } : undefined;
    },
  };
}
