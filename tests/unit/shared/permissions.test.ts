/**
 * One source of truth for permissions: docs/roles/*.json. The core's action
 * lists (and so the 403 hint), docs/permissions.md, the README and the
 * marketplace page (overview.md) must name exactly those actions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOSER_ACTIONS, permissionHint, REQUESTER_ACTIONS } from '../../../shared/azure/permissions';
import { AzureApiError } from '../../../shared/errors';

const root = join(__dirname, '..', '..', '..');
const read = (p: string): string => readFileSync(join(root, p), 'utf8');
const role = (file: string): string[] =>
  (JSON.parse(read(`docs/roles/${file}`)) as { Actions: string[] }).Actions;
const ALL_ACTION = /Microsoft\.[A-Za-z]+\/[A-Za-z/*]+(?:\/action|\/read|\/delete)\b/g;

describe('docs/roles/*.json is the one source of truth', () => {
  it('the core uses exactly the actions of the two roles', () => {
    expect([...REQUESTER_ACTIONS]).toEqual(role('jit-requester.json'));
    expect([...CLOSER_ACTIONS]).toEqual(role('jit-requester-closer.json'));
  });

  it('the 403 hint names every action of the closer role and nothing else', () => {
    const hint = new AzureApiError({
      status: 403,
      code: 'AuthorizationFailed',
      azureMessage: 'no',
      correlationId: undefined,
      operation: 'read x',
    }).hint;
    expect(hint).toBe(permissionHint());
    expect([...new Set(hint.match(ALL_ACTION))].sort()).toEqual([...CLOSER_ACTIONS].sort());
  });

  it.each(['docs/permissions.md', 'overview.md'])(
    '%s lists exactly the actions of the closer role',
    (file) => {
      expect([...new Set(read(file).match(ALL_ACTION))].sort()).toEqual([...CLOSER_ACTIONS].sort());
    },
  );

  it('the README names the delete action and links both role files', () => {
    const readme = read('README.md');
    expect(readme).toContain('docs/roles/jit-requester.json');
    expect(readme).toContain('docs/roles/jit-requester-closer.json');
    expect(readme).toContain('Microsoft.Network/networkSecurityGroups/securityRules/delete');
    expect(readme).toContain('cannot be limited to JIT');
    for (const a of readme.match(ALL_ACTION) ?? [])
      expect([...CLOSER_ACTIONS, ...REQUESTER_ACTIONS]).toContain(a);
  });

  it('docs/permissions.md says plainly that securityRules/delete cannot be limited to JIT rules and what close-on-post none costs', () => {
    const doc = read('docs/permissions.md');
    expect(doc).toMatch(/securityRules\/delete` cannot be limited to JIT rules/);
    expect(doc).toMatch(/close-on-post: none/);
    expect(doc).toMatch(/stays open until its end time/);
  });
});
