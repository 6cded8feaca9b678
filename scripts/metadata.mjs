// Where the project lives, in ONE place: package.json's `repository` (the GitHub repository, so
// `uses: <owner>/<repo>@v1` and every documentation link) and `config.marketplacePublisher` (the
// Visual Studio Marketplace publisher of the Azure DevOps extension; empty until one is registered,
// and `npm run package:vsix -- --public` then needs --publisher or AZURE_DEVOPS_PUBLISHER).
//
// Every file that repeats these values is rewritten from them here, never edited by hand:
//   node scripts/metadata.mjs          rewrites the files
//   node scripts/metadata.mjs --check  lists what is out of step and exits 1 (tests run this)
// `npm run release` runs it after bumping the version, so the major in `@v1` / `AzureJitAccess@1`
// follows the version too.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A version below 1.0.0 is unreleased; its first public major is 1 (`AzureJitAccess@1`, `@v1`). */
export const publicMajor = (version) => Math.max(1, Number(String(version).split('.')[0]));

/** https URL and `owner/name` of the GitHub repository in package.json. */
export function repositoryOf(pkg) {
  const raw = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const m = /github\.com[/:]([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(raw ?? '');
  if (!m) throw new Error(`package.json: repository must be a GitHub repository URL, got '${raw ?? ''}'.`);
  return { url: `https://github.com/${m[1]}/${m[2]}`, slug: `${m[1]}/${m[2]}`, name: m[2] };
}

/** Text that must not ship: links and names that stood in for the real ones. */
export const PLACEHOLDERS = [
  /github\.com\/contoso\b/i,
  /\bOWNER\/azure-jit-access\b/,
  /<owner>\/azure-jit-access\b/i,
  /"publisher"\s*:\s*"azure-jit-access"/,
];

const rewrite = (text, pairs) =>
  pairs.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text);

/** file -> its expected text, computed from package.json and task.json. */
export function expectedFiles(root) {
  const read = (f) => readFileSync(join(root, f), 'utf8');
  const pkg = JSON.parse(read('package.json'));
  const repo = repositoryOf(pkg);
  const major = publicMajor(pkg.version);
  const task = JSON.parse(read('task.json'));
  const docs = `${repo.url}#azure-devops`;
  // Any `github.com/<owner>/<name>` link to this project, whoever it named before.
  const projectLink = new RegExp(
    `https://github\\.com/[A-Za-z0-9<>-]+/${repo.name.replace(/[.]/g, '\\.')}(?=[/#)\\s"'\`]|$)`,
    'gm',
  );
  const usesLine = new RegExp(`(uses:\\s+)[A-Za-z0-9<>_-]+/${repo.name.replace(/[.]/g, '\\.')}@v\\d+`, 'g');
  const prose = [
    [usesLine, `$1${repo.slug}@v${major}`],
    [/\bAzureJitAccess@\d+\b/g, `AzureJitAccess@${major}`],
    [projectLink, repo.url],
  ];
  const out = new Map();

  task.helpUrl = docs;
  task.helpMarkDown = task.helpMarkDown.replace(/\]\([^)]*\)/, `](${docs})`);
  out.set('task.json', `${JSON.stringify(task, null, 2)}\n`);

  const extension = JSON.parse(read('vss-extension.json'));
  extension.repository = { type: 'git', uri: repo.url };
  extension.links = {
    getstarted: { uri: docs },
    support: { uri: `${repo.url}/issues` },
    license: { uri: `${repo.url}/blob/main/LICENSE` },
  };
  // The committed manifest is a private development build's; package:vsix sets the real publisher.
  extension.publisher = DEV_PUBLISHER;
  const folder = `AzureJitAccessV${task.version.Major}`;
  extension.files = [{ path: folder }];
  for (const c of extension.contributions ?? []) {
    if (c.type === 'ms.vss-distributed-task.task') c.properties = { ...c.properties, name: folder };
  }
  out.set('vss-extension.json', `${JSON.stringify(extension, null, 2)}\n`);

  const proseFiles = ['README.md', 'overview.md', 'SECURITY.md', 'CHANGELOG.md'];
  const examples = join(root, 'docs', 'examples');
  if (existsSync(examples)) {
    for (const f of readdirSync(examples).sort())
      if (/\.ya?ml$/.test(f)) proseFiles.push(`docs/examples/${f}`);
  }
  for (const f of proseFiles) if (existsSync(join(root, f))) out.set(f, rewrite(read(f), prose));
  return out;
}

/** Publisher of development builds: clearly not a release, never public. */
export const DEV_PUBLISHER = 'azure-jit-access-dev';

/** Files whose text differs from what package.json says (JSON compared by value, not layout). */
export function outOfStep(root) {
  const stale = [];
  for (const [file, expected] of expectedFiles(root)) {
    const actual = readFileSync(join(root, file), 'utf8');
    const same = file.endsWith('.json')
      ? JSON.stringify(JSON.parse(actual)) === JSON.stringify(JSON.parse(expected))
      : actual === expected;
    if (!same) stale.push(file);
  }
  return stale;
}

export function writeExpected(root) {
  const changed = outOfStep(root);
  const expected = expectedFiles(root);
  for (const file of changed) writeFileSync(join(root, file), expected.get(file));
  // JSON is written by JSON.stringify; the repository's Prettier layout is restored here.
  const prettier = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    'node_modules',
    'prettier',
    'bin',
    'prettier.cjs',
  );
  if (changed.length > 0 && existsSync(prettier)) {
    spawnSync(process.execPath, [prettier, '--write', ...changed.map((f) => join(root, f))], {
      cwd: root,
      stdio: 'ignore',
    });
  }
  return changed;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--root');
  const root = resolve(i >= 0 ? args[i + 1] : join(dirname(fileURLToPath(import.meta.url)), '..'));
  if (args.includes('--check')) {
    const stale = outOfStep(root);
    if (stale.length > 0) {
      console.error(
        `metadata: out of step with package.json: ${stale.join(', ')}. Run 'node scripts/metadata.mjs'.`,
      );
      process.exit(1);
    }
    console.log('metadata: every file agrees with package.json.');
  } else {
    const changed = writeExpected(root);
    console.log(
      changed.length > 0 ? `metadata: rewrote ${changed.join(', ')}` : 'metadata: nothing to change.',
    );
  }
}
