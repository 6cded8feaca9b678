/**
 * Realistic summaries (two VMs, one behind a firewall, a `web_01`-style name and
 * a justification with Markdown in it), for renderer tests and the screenshots
 * in docs/ (scripts/screenshot-summaries.mjs).
 */
import type { MainSummary, PostSummary } from '../../shared/summary';

const SUB =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines';

export const SAMPLE_MAIN: MainSummary = {
  kind: 'main',
  outcome: 'live',
  at: '2026-12-02T20:00:00.000Z',
  durationMinutes: 15,
  justification:
    'GitHub Actions contoso/webapp@abc1234 by octocat: deploy *release* | run https://github.com/contoso/webapp/actions/runs/4242',
  rows: [
    {
      vm: 'web_01',
      policy: 'default',
      ports: [22],
      source: '203.0.113.10',
      endpoints: ['20.50.10.4:22'],
      expiresAt: '2026-12-02T20:15:00.000Z',
      status: 'live',
      rules: [
        {
          nsg: 'web_01-nsg',
          rule: 'SecurityCenter-JITRule-1170687618-8C18BF8921F041989344B4F1E3A0C370',
          port: 22,
          liveAfterMs: 4100,
        },
        {
          nsg: 'snet-web-nsg',
          rule: 'SecurityCenter-JITRule-1170687618-8C18BF8921F041989344B4F1E3A0C370',
          port: 22,
          liveAfterMs: 6300,
        },
      ],
      portalUrl: `https://portal.azure.com/#@/resource${SUB}/web_01/configuration`,
    },
    {
      vm: 'db-02',
      policy: 'jit-db',
      ports: [22, 5986],
      source: '203.0.113.10',
      endpoints: ['52.1.2.3:50022', '52.1.2.3:50986'],
      expiresAt: '2026-12-02T20:15:00.000Z',
      status: 'live',
      rules: [
        {
          nsg: 'db-02-nsg',
          rule: 'SecurityCenter-JITRule--105480617-9EF61C3A8B7D4E0F9A2B3C4D5E6F7A8B',
          port: 22,
          liveAfterMs: 12800,
        },
      ],
      portalUrl: `https://portal.azure.com/#@/resource${SUB}/db-02/configuration`,
    },
  ],
};

export const SAMPLE_POST: PostSummary = {
  kind: 'post',
  at: '2026-12-02T20:06:00.000Z',
  closed: [
    {
      vm: 'web_01',
      port: 22,
      nsg: 'web_01-nsg',
      rule: 'SecurityCenter-JITRule-1170687618-8C18BF8921F041989344B4F1E3A0C370',
      result: 'deleted',
    },
    {
      vm: 'web_01',
      port: 22,
      nsg: 'snet-web-nsg',
      rule: 'SecurityCenter-JITRule-1170687618-8C18BF8921F041989344B4F1E3A0C370',
      result: 'already gone',
    },
    {
      vm: 'db-02',
      port: 22,
      nsg: 'db-02-nsg',
      rule: 'SecurityCenter-JITRule--105480617-9EF61C3A8B7D4E0F9A2B3C4D5E6F7A8B',
      result: 'failed',
    },
  ],
  remaining: [
    { vm: 'db-02', port: 22, until: '2026-12-02T20:15:00.000Z', reason: 'no permission to delete (403)' },
  ],
};
