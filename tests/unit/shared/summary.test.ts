import { escapeCell, formatUtc, renderMainSummary, renderPostSummary } from '../../../shared/summary';

describe('renderMainSummary', () => {
  it('renders one row per VM', () => {
    expect(
      renderMainSummary({
        rows: [
          {
            vm: 'web-01',
            ports: [22],
            source: '203.0.113.10',
            host: 'web-01.eastus.cloudapp.azure.com',
            expiresAt: '2026-11-22T01:15:00.000Z',
            status: 'live',
          },
          {
            vm: 'fw-01',
            ports: [22, 3389],
            source: '203.0.113.10',
            host: '52.170.20.30:50022',
            expiresAt: '2026-11-22T01:15:00Z',
            status: 'timed-out',
          },
        ],
        notes: ['Justification: GitHub Actions run contoso/webapp@abc1234 by octocat'],
      }),
    ).toBe(
      [
        '### JIT access',
        '',
        '| VM | Ports | Source | Host | Expires | Status |',
        '|---|---|---|---|---|---|',
        '| web-01 | 22 | 203.0.113.10 | web-01.eastus.cloudapp.azure.com | 2026-11-22 01:15 UTC | live |',
        '| fw-01 | 22, 3389 | 203.0.113.10 | 52.170.20.30:50022 | 2026-11-22 01:15 UTC | timed out waiting for the rule |',
        '',
        '- Justification: GitHub Actions run contoso/webapp@abc1234 by octocat',
        '',
      ].join('\n'),
    );
  });

  it('says when nothing was requested', () => {
    const md = renderMainSummary({
      dryRun: true,
      rows: [{ vm: 'web-01', ports: [22], source: 'azure', host: '10.0.1.4', status: 'would-request' }],
    });
    expect(md.split('\n')[0]).toBe('### JIT access: dry run (nothing was requested)');
    expect(md).toContain('| web-01 | 22 | azure | 10.0.1.4 | - | dry run: would request |');
  });

  it('escapes cells so names and Azure text cannot break the table or inject markup', () => {
    const md = renderMainSummary({
      rows: [
        { vm: 'a|b\n<img src=x>', ports: [22], source: '*', host: '[x](http://evil)', status: 'failed' },
      ],
    });
    const row = md.split('\n')[4] ?? '';
    expect(row).toBe('| a\\|b \\<img src=x\\> | 22 | \\* | \\[x\\](http://evil) | - | failed |');
    expect(row.split(/(?<!\\)\|/)).toHaveLength(8);
  });
});

describe('renderPostSummary', () => {
  it('lists what was closed and what remains, and until when', () => {
    const md = renderPostSummary({
      closed: [
        {
          vm: 'web-01',
          port: 22,
          nsg: 'web-01-nsg',
          rule: 'SecurityCenter-JITRule-1-ABC',
          result: 'deleted',
        },
      ],
      remaining: [
        { vm: 'api-01', port: 22, until: '2026-11-22T02:00:00Z', reason: 'no permission to delete (403)' },
      ],
    });
    expect(md).toBe(
      [
        '### JIT access: closing',
        '',
        '| VM | Port | NSG | Rule | Result |',
        '|---|---|---|---|---|',
        '| web-01 | 22 | web-01-nsg | SecurityCenter-JITRule-1-ABC | deleted |',
        '',
        'Still open (JIT closes it by itself at the time shown):',
        '',
        '| VM | Port | Open until | Why |',
        '|---|---|---|---|',
        '| api-01 | 22 | 2026-11-22 02:00 UTC | no permission to delete (403) |',
        '',
      ].join('\n'),
    );
  });

  it('reports nothing to do', () => {
    expect(
      renderPostSummary({ closed: [], remaining: [], nothingToDo: 'No saved state: main opened nothing.' }),
    ).toBe('### JIT access: closing\n\nNo saved state: main opened nothing.\n');
    expect(renderPostSummary({ closed: [], remaining: [] })).toContain('Nothing was open.');
  });
});

describe('helpers', () => {
  it('formats UTC times and leaves other text alone', () => {
    expect(formatUtc('2026-11-22T01:15:59.999Z')).toBe('2026-11-22 01:15 UTC');
    expect(formatUtc('later')).toBe('later');
  });
  it('escapes backslashes first', () => {
    expect(escapeCell('a\\|b')).toBe('a\\\\\\|b');
  });
});
