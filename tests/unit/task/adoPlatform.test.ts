import { summaryMarkdown } from '../../../shared/summaryMarkdown';
import { SAMPLE_MAIN, SAMPLE_POST } from '../../helpers/sampleSummaries';
/**
 * The task-lib Platform adapter, in-process: the `##vso` commands it writes for
 * outputs, state, secrets and the summary. (Inputs and the service connection are
 * read from the agent's environment; tests/e2e/task covers them on the bundle.)
 */
import './agentTemp'; // first: task-lib writes its vault key where it loads
import * as tl from 'azure-pipelines-task-lib/task';
import { commandFromString } from 'azure-pipelines-task-lib/taskcommand';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { AdoPlatform, maskableParts, neutralizeCommands } from '../../../task/adoPlatform';

let lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString('utf8').split(/\r?\n/).filter(Boolean));
    done();
  },
});
const commands = () =>
  lines.filter((l) => l.startsWith('##vso[') && !l.startsWith('##vso[task.debug')).map(commandFromString);

beforeAll(() => tl.setStdStream(capture));
afterAll(() => tl.setStdStream(process.stdout));
beforeEach(() => {
  lines = [];
});

describe('maskableParts', () => {
  it('keeps a one-line secret whole and splits a PEM into its lines without the armour', () => {
    expect(maskableParts('abc')).toEqual(['abc']);
    expect(maskableParts('')).toEqual([]);
    const pem = '-----BEGIN PRIVATE KEY-----\r\nMIIEv1\r\n  abc==  \n\n-----END PRIVATE KEY-----\n';
    expect(maskableParts(pem)).toEqual(['MIIEv1', 'abc==']);
  });
});

describe('neutralizeCommands', () => {
  it('keeps quoted logging commands from being executed by the agent, and leaves other text alone', () => {
    const quoted = 'Invalid input \'justification\' = "##vso[task.setvariable variable=x]y"';
    const safe = neutralizeCommands(quoted);
    expect(safe).not.toContain('##vso[');
    expect(safe.replace(/\u200b/g, '')).toBe(quoted);
    expect(neutralizeCommands('##VSO[task.complete]')).not.toMatch(/##vso\[/i);
    expect(neutralizeCommands('plain text ## [x]')).toBe('plain text ## [x]');
  });
});

describe('AdoPlatform', () => {
  const platform = new AdoPlatform();

  it('sets outputs as output variables under their task.json names', () => {
    platform.setOutput('expires-at', '2026-01-01T10:00:00Z');
    platform.setOutput('port', '22');
    expect(commands().map((c) => [c.command, c.properties, c.message])).toEqual([
      [
        'task.setvariable',
        { variable: 'expiresAt', isOutput: 'true', issecret: 'false' },
        '2026-01-01T10:00:00Z',
      ],
      ['task.setvariable', { variable: 'port', isOutput: 'true', issecret: 'false' }, '22'],
    ]);
  });

  it('saves state as a task variable that survives a round trip, newlines included', () => {
    expect(platform.getState('jit-state')).toBe('');
    const state = JSON.stringify({ version: 1, requests: [{ vms: ['a;b]'] }] }, null, 2);
    platform.saveState('jit-state', state);
    const [cmd] = commands();
    expect(cmd?.command).toBe('task.settaskvariable');
    expect(cmd?.properties).toEqual({ variable: 'jitState', issecret: 'false' });
    expect(cmd?.message).toBe(state);
    expect(platform.getState('jit-state')).toBe(state);
  });

  it('masks every line of a multi-line secret (the agent refuses multi-line ones)', () => {
    platform.setSecret('-----BEGIN CERTIFICATE-----\nAAAA\nBBBB\n-----END CERTIFICATE-----');
    platform.setSecret('single');
    expect(commands().map((c) => [c.command, c.message])).toEqual([
      ['task.setsecret', 'AAAA'],
      ['task.setsecret', 'BBBB'],
      ['task.setsecret', 'single'],
    ]);
  });

  it('writes each summary to its own Markdown file and uploads it', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'ado-summary-'));
    process.env.AGENT_TEMPDIRECTORY = temp;
    try {
      const p = new AdoPlatform();
      await p.appendSummary(SAMPLE_MAIN);
      await p.appendSummary(SAMPLE_POST);
      const uploads = commands().filter((c) => c.command === 'task.uploadsummary');
      expect(uploads).toHaveLength(2);
      const [a, b] = uploads.map((u) => u.message);
      expect(a?.startsWith(temp)).toBe(true);
      expect(a).not.toBe(b);
      expect(readFileSync(a as string, 'utf8')).toBe(summaryMarkdown(SAMPLE_MAIN));
      expect(readFileSync(b as string, 'utf8')).toBe(summaryMarkdown(SAMPLE_POST));
    } finally {
      delete process.env.AGENT_TEMPDIRECTORY;
    }
  });

  it('fails the step with one error issue and task.complete', () => {
    const p = new AdoPlatform();
    p.setFailed('Invalid input \'ports\' = "x"');
    const cmds = commands();
    expect(cmds.map((c) => c.command)).toEqual(['task.issue', 'task.complete']);
    expect(cmds[1]?.properties).toEqual({ result: 'Failed' });
    expect(p.failed).toBe(true);
  });

  it('closes a log group even when the grouped work throws', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk).trim());
      return true;
    });
    try {
      await expect(
        platform.group('Waiting', () => {
          platform.info('inside');
          return Promise.reject(new Error('boom'));
        }),
      ).rejects.toThrow('boom');
    } finally {
      spy.mockRestore();
    }
    expect(written).toEqual(['##[group]Waiting', 'inside', '##[endgroup]']);
  });

  it('builds run metadata from the pipeline variables', () => {
    const vars = {
      SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
      SYSTEM_TEAMPROJECT: 'Web Shop',
      BUILD_BUILDID: '42',
      BUILD_REPOSITORY_NAME: 'webapp',
      BUILD_SOURCEVERSION: 'abc123',
      BUILD_REQUESTEDFOR: 'Ada Lovelace',
      BUILD_DEFINITIONNAME: 'deploy',
    };
    Object.assign(process.env, vars);
    try {
      expect(platform.runMetadata()).toEqual({
        system: 'Azure Pipelines',
        runUrl: 'https://dev.azure.com/contoso/Web%20Shop/_build/results?buildId=42',
        repository: 'webapp',
        commit: 'abc123',
        actor: 'Ada Lovelace',
        workflow: 'deploy',
      });
    } finally {
      for (const k of Object.keys(vars)) delete process.env[k];
    }
    expect(platform.runMetadata()).toEqual({ system: 'Azure Pipelines' });
  });
});
