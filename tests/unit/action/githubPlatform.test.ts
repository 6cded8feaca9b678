import { summaryMarkdown } from '../../../shared/summaryMarkdown';
import { SAMPLE_MAIN, SAMPLE_POST } from '../../helpers/sampleSummaries';
/**
 * The adapter against the real @actions/core: runner files in a temp folder, stdout captured.
 * Wiring only; the runner protocol end to end is covered by tests/e2e/action.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { EOL, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitHubPlatform, githubRunMetadata, neutralizeCommands } from '../../../action/githubPlatform';

const RUNNER_VARS = [
  'GITHUB_OUTPUT',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY',
  'INPUT_WAIT-TIMEOUT',
  'STATE_jit-state',
];

describe('githubPlatform', () => {
  let dir: string;
  let stdout: string[];
  const saved: Record<string, string | undefined> = {};

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gh-platform-'));
    for (const name of RUNNER_VARS) saved[name] = process.env[name];
    for (const file of ['output', 'state', 'summary']) writeFileSync(join(dir, file), '');
    process.env.GITHUB_OUTPUT = join(dir, 'output');
    process.env.GITHUB_STATE = join(dir, 'state');
    process.env.GITHUB_STEP_SUMMARY = join(dir, 'summary');
    stdout = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    for (const name of RUNNER_VARS) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    process.exitCode = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads an input by its kebab-case name from INPUT_<NAME> (hyphen kept), trimmed', () => {
    process.env['INPUT_WAIT-TIMEOUT'] = '  PT5M \n';
    expect(createGitHubPlatform().getInput('wait-timeout')).toBe('PT5M');
    expect(createGitHubPlatform().getInput('duration')).toBe('');
  });

  it('writes outputs and state to the runner files and reads state back from STATE_*', () => {
    const platform = createGitHubPlatform();
    platform.setOutput('host', 'web-01.eastus.cloudapp.azure.com');
    platform.saveState('jit-state', '{"version":1}');
    // @actions/core ends lines with os.EOL (CRLF on Windows), which the runner reads either way.
    expect(readFileSync(join(dir, 'output'), 'utf8')).toMatch(
      new RegExp(
        `^host<<(ghadelimiter_[0-9a-f-]+)${EOL}web-01\\.eastus\\.cloudapp\\.azure\\.com${EOL}\\1${EOL}$`,
      ),
    );
    expect(readFileSync(join(dir, 'state'), 'utf8')).toMatch(
      new RegExp(`^jit-state<<(ghadelimiter_[0-9a-f-]+)${EOL}\\{"version":1\\}${EOL}\\1${EOL}$`),
    );
    process.env['STATE_jit-state'] = '{"version":1}';
    expect(platform.getState('jit-state')).toBe('{"version":1}');
  });

  it('appends to the job summary instead of overwriting it', async () => {
    const platform = createGitHubPlatform();
    await platform.appendSummary(SAMPLE_MAIN);
    await platform.appendSummary(SAMPLE_POST);
    expect(readFileSync(join(dir, 'summary'), 'utf8')).toBe(
      `${summaryMarkdown(SAMPLE_MAIN)}${EOL}${summaryMarkdown(SAMPLE_POST)}${EOL}`,
    );
  });

  it('skips the summary quietly where the runner offers none', async () => {
    delete process.env.GITHUB_STEP_SUMMARY;
    await expect(createGitHubPlatform({}).appendSummary(SAMPLE_POST)).resolves.toBeUndefined();
  });

  it('masks, annotates, groups and fails through workflow commands', async () => {
    const platform = createGitHubPlatform();
    platform.setSecret('s3cr3t');
    platform.warning('slow NSG');
    platform.notice('opened');
    const value = await platform.group('Waiting', () => {
      platform.info('inside');
      return Promise.resolve(7);
    });
    platform.setFailed('Invalid input\nWhat to do: fix it');
    expect(value).toBe(7);
    expect(stdout.join('')).toBe(
      [
        '::add-mask::s3cr3t',
        '::warning::slow NSG',
        '::notice::opened',
        '::group::Waiting',
        'inside',
        '::endgroup::',
        '::error::Invalid input%0AWhat to do: fix it',
        '',
      ].join(EOL),
    );
    expect(process.exitCode).toBe(1);
  });

  it('keeps log text from being run as a workflow command', () => {
    createGitHubPlatform().info('Azure said:\n::set-env name=X::y\n  ##[error]z and ##[add-mask]w');
    expect(stdout.join('')).toBe(
      `Azure said:\n\u200b::set-env name=X::y\n  ##\u200b[error]z and ##\u200b[add-mask]w${EOL}`,
    );
    expect(neutralizeCommands('a :: b')).toBe('a :: b');
  });

  it('describes the run from the runner variables', () => {
    expect(
      githubRunMetadata({
        GITHUB_SERVER_URL: 'https://github.example.com',
        GITHUB_REPOSITORY: 'contoso/webapp',
        GITHUB_RUN_ID: '42',
        GITHUB_SHA: 'abc123',
        GITHUB_ACTOR: 'octocat',
        GITHUB_WORKFLOW: 'deploy',
      }),
    ).toEqual({
      system: 'GitHub Actions',
      runUrl: 'https://github.example.com/contoso/webapp/actions/runs/42',
      repository: 'contoso/webapp',
      commit: 'abc123',
      actor: 'octocat',
      workflow: 'deploy',
    });
    expect(githubRunMetadata({})).toEqual({ system: 'GitHub Actions' });
  });
});
