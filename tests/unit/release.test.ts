/**
 * Release metadata: the repository and publisher come from package.json only (scripts/metadata.mjs
 * rewrites every file that repeats them), nothing that ships holds a placeholder, and
 * `npm run release -- <version>` bumps every version together. The release script runs on a temp
 * copy (never on this repository), without the build (the e2e suites check dist/).
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');
const pkg = JSON.parse(read(root, 'package.json')) as {
  version: string;
  license: string;
  repository: { url: string };
  config: { marketplacePublisher: string };
};
const repoUrl = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
const slug = repoUrl.replace('https://github.com/', '');

/** Everything users receive: the Action (action.yml, README, bundles), the .vsix inputs, the docs. */
const SHIPPED = [
  'action.yml',
  'task.json',
  'vss-extension.json',
  'overview.md',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'SECURITY.md',
  ...readdirSync(join(root, 'docs', 'examples')).map((f) => `docs/examples/${f}`),
  ...[
    'action/main.js',
    'action/post.js',
    'task/main.js',
    'task/post.js',
    'cli/main.js',
    'cli/program.js',
  ].map((f) => `dist/${f}`),
];
const PLACEHOLDERS = [
  /github\.com\/contoso\b/i,
  /\bOWNER\/azure-jit-access\b/,
  /<owner>\/azure-jit-access\b/i,
  /"publisher"\s*:\s*"azure-jit-access"/,
];

const node = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'scripts', script), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });

/** The files the release and metadata scripts touch, copied to a temp folder. */
function copyOfRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jit-release-'));
  for (const f of [
    'package.json',
    'package-lock.json',
    'task.json',
    'vss-extension.json',
    'README.md',
    'overview.md',
    'CHANGELOG.md',
    'SECURITY.md',
    '.prettierrc.json',
  ]) {
    cpSync(join(root, f), join(dir, f));
  }
  mkdirSync(join(dir, 'docs'));
  cpSync(join(root, 'docs', 'examples'), join(dir, 'docs', 'examples'), { recursive: true });
  return dir;
}

describe('publishing metadata', () => {
  it('ships LICENSE (the license package.json declares), CHANGELOG.md and SECURITY.md', () => {
    expect(pkg.license).toBe('MIT');
    expect(read(root, 'LICENSE')).toMatch(/^MIT License\n/);
    expect(read(root, 'CHANGELOG.md')).toMatch(/^## \[Unreleased\]$/m);
    expect(read(root, 'SECURITY.md')).toContain(`${repoUrl}/security/advisories/new`);
  });

  it.each(SHIPPED)('%s holds no placeholder for the repository or the publisher', (file) => {
    expect(existsSync(join(root, file))).toBe(true);
    const text = read(root, file);
    expect(PLACEHOLDERS.filter((p) => p.test(text))).toEqual([]);
  });

  it('every file that names the repository agrees with package.json (scripts/metadata.mjs --check)', () => {
    const run = node('metadata.mjs', '--check');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const task = JSON.parse(read(root, 'task.json')) as { helpUrl: string; name: string };
    expect(task.helpUrl).toBe(`${repoUrl}#azure-devops`);
    const ext = JSON.parse(read(root, 'vss-extension.json')) as { links: { license: { uri: string } } };
    expect(ext.links.license.uri).toBe(`${repoUrl}/blob/main/LICENSE`);
    // The Action and the task are shown at their first public major, 1.
    expect(read(root, 'README.md')).toContain(`uses: ${slug}@v1`);
    expect(read(root, 'README.md')).toContain(`task: ${task.name}@1`);
    expect(read(root, 'overview.md')).toContain(`task: ${task.name}@1`);
  });

  it('the check fails on a file that still links to another repository, and the rewrite fixes it', () => {
    const dir = copyOfRepo();
    writeFileSync(
      join(dir, 'overview.md'),
      `${read(dir, 'overview.md')}\nIssues: https://github.com/contoso/azure-jit-access/issues\n`,
    );
    const stale = node('metadata.mjs', '--check', '--root', dir);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('out of step with package.json: overview.md');
    expect(node('metadata.mjs', '--root', dir).status).toBe(0);
    expect(read(dir, 'overview.md')).toContain(`Issues: ${repoUrl}/issues`);
    expect(node('metadata.mjs', '--check', '--root', dir).status).toBe(0);
  });
});

describe('npm run release -- <version> (on a temp copy)', () => {
  const dir = copyOfRepo();
  const before = read(dir, 'CHANGELOG.md');
  const run = node('release.mjs', '1.2.0', '--root', dir, '--skip-build', '--date', '2026-12-02');

  it('bumps package.json, package-lock.json, task.json and vss-extension.json together', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect((JSON.parse(read(dir, 'package.json')) as { version: string }).version).toBe('1.2.0');
    const lock = JSON.parse(read(dir, 'package-lock.json')) as {
      version: string;
      packages: Record<string, { version: string }>;
    };
    expect([lock.version, lock.packages['']?.version]).toEqual(['1.2.0', '1.2.0']);
    const task = JSON.parse(read(dir, 'task.json')) as { version: unknown };
    expect(task.version).toEqual({ Major: 1, Minor: 2, Patch: 0 });
    const ext = JSON.parse(read(dir, 'vss-extension.json')) as {
      version: string;
      files: { path: string }[];
    };
    expect(ext.version).toBe('1.2.0');
    expect(ext.files).toEqual([{ path: 'AzureJitAccessV1' }]);
    expect(node('metadata.mjs', '--check', '--root', dir).status).toBe(0);
  });

  it('turns the Unreleased section into the release section and keeps an empty Unreleased on top', () => {
    const after = read(dir, 'CHANGELOG.md');
    const unreleased = /## \[Unreleased\]\n([\s\S]*?)(?=\n## |\n\[|$)/.exec(before)?.[1]?.trim() ?? '(none)';
    expect(after).toMatch(/## \[Unreleased\]\n\n## \[1\.2\.0\] - 2026-12-02\n/);
    expect(after).toContain(unreleased);
    expect(after).toContain(`[1.2.0]: ${repoUrl}/releases/tag/v1.2.0`);
    expect(after).toContain(`[Unreleased]: ${repoUrl}/compare/v1.2.0...HEAD`);
  });

  it('prints the tags to push: the version and the moving major', () => {
    expect(run.stdout).toContain('Tags to push: v1.2.0 and the moving v1');
    expect(run.stdout).toContain('git push origin v1.2.0');
    expect(run.stdout).toContain('git push -f origin v1');
  });

  it('refuses a version that is not newer, not x.y.z, below 1.0.0, or a release with no changelog entries', () => {
    const again = node('release.mjs', '1.2.0', '--root', dir, '--skip-build');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('not newer than the current version 1.2.0');
    // The Unreleased section is empty right after a release.
    const empty = node('release.mjs', '1.2.1', '--root', dir, '--skip-build');
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain("no entries under '## [Unreleased]'");
    expect(node('release.mjs', 'v1.3.0', '--root', dir, '--skip-build').stderr).toContain(
      'is not a version like 1.2.0',
    );
    const fresh = copyOfRepo();
    expect(node('release.mjs', '0.9.0', '--root', fresh, '--skip-build').stderr).toContain(
      'the first public major is 1',
    );
    // Nothing was changed by the refused runs.
    expect((JSON.parse(read(fresh, 'package.json')) as { version: string }).version).toBe(pkg.version);
  });

  it('leaves this repository untouched', () => {
    expect((JSON.parse(read(root, 'package.json')) as { version: string }).version).toBe(pkg.version);
  });
});
