import {
  MAX_DEFAULT_JUSTIFICATION,
  defaultJustification,
  resolveJustification,
} from '../../../shared/justification';
import { DEFAULT_METADATA } from '../../helpers/fakePlatform';

describe('justification', () => {
  it('names the system, workflow, repository@commit, actor and run URL', () => {
    expect(defaultJustification(DEFAULT_METADATA)).toBe(
      "GitHub Actions run 'deploy' contoso/webapp@abc1234 by octocat: https://github.com/contoso/webapp/actions/runs/4242",
    );
  });
  it.each([
    [{ system: 'CLI' }, 'CLI run'],
    [{ system: 'Azure Pipelines', commit: 'deadbeefcafe' }, 'Azure Pipelines run @deadbee'],
    [
      { system: 'Azure Pipelines', repository: 'contoso/webapp', actor: 'Jane Doe' },
      'Azure Pipelines run contoso/webapp by Jane Doe',
    ],
  ])('leaves out what is unknown: %j', (meta, expected) => {
    expect(defaultJustification(meta)).toBe(expected);
  });
  it('stays on one line and within the length limit', () => {
    const text = defaultJustification({ system: 'CLI', actor: `evil\nname${'x'.repeat(400)}` });
    expect(text).not.toMatch(/[\r\n]/);
    expect(text.length).toBe(MAX_DEFAULT_JUSTIFICATION);
    expect(text.endsWith('…')).toBe(true);
  });
  it("prefers the user's text", () => {
    expect(resolveJustification('hotfix 42', DEFAULT_METADATA)).toBe('hotfix 42');
    expect(resolveJustification(undefined, { system: 'CLI' })).toBe('CLI run');
  });
});
