/**
 * Azure RBAC as ARM enforces it: an action is allowed at a scope when some role
 * assignment at that scope or above grants it (`*` wildcards, case-insensitive)
 * and its notActions do not take it away.
 */
import type { RoleAssignmentSpec } from '../identity/types';

const patterns = new Map<string, RegExp>();

function toRegExp(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 'i');
    patterns.set(pattern, re);
  }
  return re;
}

export function actionMatches(pattern: string, action: string): boolean {
  return toRegExp(pattern).test(action);
}

/** `/subscriptions/x` covers `/subscriptions/x/resourceGroups/y/...`, never `/subscriptions/xy`. */
export function scopeCovers(assignmentScope: string, scope: string): boolean {
  const a = assignmentScope.replace(/\/+$/, '').toLowerCase();
  const s = scope.toLowerCase();
  return a === '' || s === a || s.startsWith(`${a}/`);
}

export function isAuthorized(
  assignments: readonly RoleAssignmentSpec[],
  action: string,
  scope: string,
): boolean {
  return assignments.some(
    (a) =>
      scopeCovers(a.scope, scope) &&
      a.actions.some((p) => actionMatches(p, action)) &&
      !(a.notActions ?? []).some((p) => actionMatches(p, action)),
  );
}

/** Whether the principal holds any role at, above or below a scope (what ARM lists subscriptions by). */
export function hasAnyAccess(assignments: readonly RoleAssignmentSpec[], scope: string): boolean {
  return assignments.some((a) => scopeCovers(a.scope, scope) || scopeCovers(scope, a.scope));
}
