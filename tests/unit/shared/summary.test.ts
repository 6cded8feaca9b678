import { escapeMarkdown, escapeProse, mainMarkdown, postMarkdown } from '../../../shared/summaryMarkdown';
import { formatUtc, portalUrl, relativeTo, shortRuleName } from '../../../shared/summary';
import { SAMPLE_MAIN, SAMPLE_POST } from '../../helpers/sampleSummaries';

describe('mainMarkdown', () => {
  const md = mainMarkdown(SAMPLE_MAIN);

  it('has a status mark, policy, source, host:port, expiry in UTC and relative, time to live, per row', () => {
    const row = md.split('\n').find((l) => l.includes('db-02')) ?? '';
    expect(row).toContain('✅ live');
    expect(row).toContain('jit-db');
    expect(row).toContain('203.0.113.10');
    expect(row).toContain('`52.1.2.3:50022`<br>`52.1.2.3:50986`');
    expect(row).toContain('2026-12-02 20:15 UTC<br>in 15 min');
    expect(row).toContain('12.8 s');
  });

  it("links each VM to its page in the cloud's portal and shows the justification escaped", () => {
    expect(md).toContain('[web\\_01](https://portal.azure.com/#@/resource/subscriptions/');
    expect(md).toContain(
      '**Justification:** GitHub Actions contoso/webapp@abc1234 by octocat: deploy \\*release\\* \\| run',
    );
  });

  it('says what was wrong and the fix when validation failed', () => {
    const failed = mainMarkdown({
      kind: 'main',
      outcome: 'failed',
      at: SAMPLE_MAIN.at,
      rows: [],
      problems: [{ what: 'input \'ports\' = "22-24": is a range', fix: 'list each port (22,23,24)' }],
    });
    expect(failed).toContain('### ❌ JIT access was not requested');
    expect(failed).toContain('| What was wrong | How to fix it |');
    expect(failed).toContain('list each port (22,23,24)');
  });

  it('titles a dry run', () => {
    expect(mainMarkdown({ ...SAMPLE_MAIN, outcome: 'dry-run' })).toContain('dry run, nothing was requested');
  });

  it('keeps hostile names inert: no table break, no HTML, no link', () => {
    const hostile = mainMarkdown({
      ...SAMPLE_MAIN,
      rows: [
        {
          ...(SAMPLE_MAIN.rows[0] as (typeof SAMPLE_MAIN.rows)[number]),
          vm: 'a|b<img src=x onerror=alert(1)>[x](javascript:y)\nz',
          portalUrl: 'javascript:alert(1)',
        },
      ],
    });
    const row = hostile.split('\n').find((l) => l.includes('img')) ?? '';
    expect(row).toContain('a\\|b&lt;img src=x onerror=alert(1)&gt;\\[x\\](javascript:y) z');
    expect(row).not.toMatch(/[^\\]\]\(javascript/);
  });
});

describe('postMarkdown', () => {
  const md = postMarkdown(SAMPLE_POST);
  it('is titled "JIT access closed", with short rule names and the full ones in a details block', () => {
    expect(md.startsWith('### 🔒 JIT access closed\n')).toBe(true);
    const table = md.slice(0, md.indexOf('<details>'));
    expect(table).toContain('`JITRule-…A0C370`');
    expect(table).not.toContain('8C18BF8921F041989344B4F1E3A0C370');
    expect(md).toContain('<details><summary>Full rule names</summary>');
    expect(md.slice(md.indexOf('<details>'))).toContain(
      'SecurityCenter-JITRule-1170687618-8C18BF8921F041989344B4F1E3A0C370',
    );
    expect(md).toContain('❌ failed');
    expect(md).toContain('no permission to delete (403)');
  });
});

describe('helpers', () => {
  it('formats times and names', () => {
    expect(formatUtc('2026-11-22T01:15:59.999Z')).toBe('2026-11-22 01:15 UTC');
    expect(relativeTo('2026-11-22T02:20:00Z', '2026-11-22T01:15:00Z')).toBe('in 1 h 5 min');
    expect(relativeTo('2026-11-22T01:10:00Z', '2026-11-22T01:15:00Z')).toBe('5 min ago');
    expect(shortRuleName('SecurityCenter-JITRule--105480617-9EF61C3A8B7D4E0F9A2B3C4D5E6F7A8B')).toBe(
      'JITRule-…6F7A8B',
    );
    expect(portalUrl('https://management.usgovcloudapi.net/', '/subscriptions/x')).toBe(
      'https://portal.azure.us/#@/resource/subscriptions/x/configuration',
    );
    expect(portalUrl('https://localhost:8443', '/subscriptions/x')).toBeUndefined();
    expect(escapeMarkdown('a_b*c')).toBe('a\\_b\\*c');
  });
});

describe('escapeProse', () => {
  it('keeps our code marks as code spans and escapes the rest', () => {
    expect(escapeProse('use `auto` or a_b')).toBe('use `auto` or a\\_b');
    expect(escapeProse('value "a`b" | c')).toBe('value "a\\`b" \\| c');
  });
});
