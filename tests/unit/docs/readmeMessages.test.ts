/**
 * Every message the README quotes must be one the product prints: each quoted
 * message (the troubleshooting table's first column, and sentences quoted in
 * backticks in the prose) is split at its placeholders (`<name>`, `...`) and
 * every literal piece must be found in the product's source (shared/, action/,
 * task/, cli/, task.json) or in the text of errors the code builds here. A
 * renamed or reworded message fails this test until the README follows.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandLine } from '../../../cli/args';
import { AzureApiError, describeError } from '../../../shared/errors';
import { ADO, CLI, GITHUB } from '../../../shared/frontEnd';
import { parseRawInputs, type RawInputs } from '../../../shared/inputs/parse';
import { INPUT_NAMES, INPUTS, type InputName } from '../../../shared/inputs/table';
import type { VmPolicyMatch } from '../../../shared/jit/policies';
import { validateRequest } from '../../../shared/jit/validate';

const ROOT = join(__dirname, '..', '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) ? [readFileSync(path, 'utf8')] : [];
  });
}

/** Product text: sources (string literals keep their words) and the task's message table. */
const PRODUCT = [
  ...['shared', 'action', 'task', 'cli'].flatMap((d) => sources(join(ROOT, d))),
  readFileSync(join(ROOT, 'task.json'), 'utf8'),
].join('\n');

/** The failure text of `fn`, as each front-end would print it. */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return [GITHUB, ADO, CLI].map((fe) => describeError(e, fe)).join('\n');
  }
  throw new Error('expected a failure');
}

const inputs = (values: Partial<Record<InputName, string>>): RawInputs => ({
  ...(Object.fromEntries(INPUT_NAMES.map((n) => [n, INPUTS[n].default])) as RawInputs),
  vms: 'web-01',
  'resource-group': 'rg-web',
  ports: '22',
  ...values,
});

const VM_ID = '/subscriptions/s/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01';
const MATCH = {
  vm: { name: 'web-01', id: VM_ID, nsgs: [] },
  policy: { name: 'web-jit', id: 'p' },
  entry: {
    id: VM_ID,
    ports: [
      {
        number: 22,
        protocol: 'TCP',
        maxRequestAccessDuration: 'PT1H',
        allowedSourceAddressPrefix: '10.0.0.0/8',
      },
    ],
  },
} as unknown as VmPolicyMatch;

/** Messages whose words come from values, built by running the code that builds them. */
const BUILT = [
  new AzureApiError({
    status: 403,
    code: 'AuthorizationFailed',
    azureMessage: 'x',
    correlationId: undefined,
    operation: '<operation>',
  }).message,
  new AzureApiError({
    status: 429,
    code: 'SubscriptionRequestsThrottled',
    azureMessage: 'x',
    correlationId: undefined,
    operation: '<operation>',
  }).message,
  new AzureApiError({
    status: 403,
    code: 'RequestDisallowedByPolicy',
    azureMessage: 'x',
    correlationId: undefined,
    operation: '<operation>',
  }).message,
  new AzureApiError({
    status: 409,
    code: 'ScopeLocked',
    azureMessage: 'x',
    correlationId: undefined,
    operation: '<operation>',
  }).message,
  failure(() => {
    throw new AzureApiError({
      status: undefined,
      code: '',
      azureMessage: 'x',
      correlationId: undefined,
      operation: 'op',
    });
  }),
  failure(() => parseRawInputs(inputs({ ports: 'x' }))),
  failure(() => parseRawInputs(inputs({ ports: 'x', duration: 'y' }))),
  failure(() => parseRawInputs(inputs({ cloud: 'AzureCloud', 'arm-endpoint': 'https://a.example' }))),
  failure(() =>
    validateRequest([MATCH], {
      ports: [22, 3389],
      durationMinutes: 120,
      source: { kind: 'explicit', prefix: '10.1.0.0/16' },
    }),
  ),
  // A policy whose name with the VM's is over JIT's 56-character limit.
  failure(() =>
    validateRequest([{ ...MATCH, policy: { name: 'p'.repeat(51), id: 'p' } } as VmPolicyMatch], {
      ports: [22],
      durationMinutes: 60,
      source: { kind: 'explicit', prefix: '10.0.0.0/8' },
    }),
  ),
  failure(() => parseCommandLine(['request', '--bogus'])),
].join('\n');

/** Quoted messages: first column of the troubleshooting table, and quoted sentences in the prose. */
function quotedMessages(): string[] {
  const prose = readme.replace(/```[\s\S]*?```/g, '');
  const start = prose.indexOf('<!-- section:troubleshooting -->');
  const end = prose.indexOf('<!-- /section:troubleshooting -->');
  const table = prose
    .slice(start, end)
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .flatMap((l) => [...(l.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ''));
  const sentences = [...prose.matchAll(/`([^`\n]+)`/g)]
    .map((m) => m[1] ?? '')
    .filter((s) => /^[A-Z][a-z]/.test(s) && s.split(' ').length >= 3)
    // Other tools' commands quoted in the prose (PowerShell's Verb-Noun) are not our messages.
    .filter((s) => !/^[A-Z][a-z]+-[A-Z][A-Za-z]+\s/.test(s));
  return [...new Set([...table, ...sentences])];
}

/** The literal pieces of a quoted message: placeholders (`<x>`, `...`, `N`) removed. */
function pieces(message: string): string[] {
  return message
    .split(/<[^>]+>|\.\.\.|…|^N\b/)
    .map((p) =>
      p
        .trim()
        .replace(/^[:.,;]\s*|\s*[:.,;(]$/g, '')
        .trim(),
    )
    .filter((p) => p.length >= 4 && /\s/.test(p));
}

describe('README messages', () => {
  const messages = quotedMessages();

  it('finds the quoted messages (the extraction itself works)', () => {
    expect(messages.length).toBeGreaterThanOrEqual(15);
    expect(messages).toContain('The JIT allow rules were not all live after <n> s. Still missing: ...');
  });

  it.each(messages.map((m) => [m]))('%s is printed by the product', (message) => {
    const missing = pieces(message).filter((p) => !PRODUCT.includes(p) && !BUILT.includes(p));
    expect(missing).toEqual([]);
  });
});
