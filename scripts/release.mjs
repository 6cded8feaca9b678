// `npm run release -- 1.2.0`: prepares a release in the working tree, in one go:
//   1. sets the version in package.json (+ package-lock.json), task.json (Major/Minor/Patch) and
//      vss-extension.json: agents cache tasks by version, the Marketplace extensions by version;
//   2. rewrites what follows from it (scripts/metadata.mjs: `@v1`, `AzureJitAccess@1`, the task folder);
//   3. turns CHANGELOG.md's Unreleased section into `## [1.2.0] - <date>`;
//   4. rebuilds dist/ (the Action and the task run from the committed bundles), checks it is fresh and
//      that the CLI bundle reports the new version;
//   5. prints the commit and the tags to push: `v1.2.0` and the moving major tag `v1` that users
//      reference as `uses: <owner>/<repo>@v1`.
// It commits, tags and pushes nothing itself.
//
// Options: --date YYYY-MM-DD (default: today, UTC), --skip-build (tests), --root <dir> (tests).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repositoryOf, writeExpected } from './metadata.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = resolve(option('--root') ?? join(here, '..'));
const date = option('--date') ?? new Date().toISOString().slice(0, 10);
const skipBuild = args.includes('--skip-build');
const optionValues = new Set(['--root', '--date'].map(option));
const version = args.find((a) => !a.startsWith('--') && !optionValues.has(a));

const fail = (message) => {
  console.error(`release: ${message}`);
  process.exit(1);
};
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
if (!version) fail('give the version: npm run release -- <major.minor.patch>, e.g. 1.2.0');
const parts = SEMVER.exec(version)?.slice(1).map(Number);
if (!parts) fail(`'${version}' is not a version like 1.2.0 (major.minor.patch, no prefix or suffix).`);
if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) fail(`--date '${date}' is not YYYY-MM-DD.`);
const [major, minor, patch] = parts;
// The task's first public major is 1 (AzureJitAccess@1): 0.x was never published.
if (major < 1) fail(`${version}: a release is 1.0.0 or later (the first public major is 1).`);

const path = (f) => join(root, f);
const readJson = (f) => JSON.parse(readFileSync(path(f), 'utf8'));
const writeJson = (f, value) => writeFileSync(path(f), `${JSON.stringify(value, null, 2)}\n`);

const pkg = readJson('package.json');
const current = SEMVER.exec(pkg.version)?.slice(1).map(Number) ?? [0, 0, 0];
const newer = parts.findIndex((p, i) => p !== current[i]);
if (newer === -1 || parts[newer] < current[newer]) {
  fail(`${version} is not newer than the current version ${pkg.version}.`);
}

const changelogFile = path('CHANGELOG.md');
if (!existsSync(changelogFile)) fail('CHANGELOG.md is missing.');
const changelog = readFileSync(changelogFile, 'utf8');
const unreleased = /^## \[Unreleased\][^\n]*\n([\s\S]*?)(?=^## |^\[[^\]]+\]: |(?![\s\S]))/m.exec(changelog);
if (!unreleased || unreleased[1].trim() === '') {
  fail("CHANGELOG.md has no entries under '## [Unreleased]': say what changed before releasing.");
}
if (changelog.includes(`## [${version}]`)) fail(`CHANGELOG.md already has a section for ${version}.`);

// 1. The version, everywhere it is kept.
pkg.version = version;
writeJson('package.json', pkg);
if (existsSync(path('package-lock.json'))) {
  const lock = readJson('package-lock.json');
  lock.version = version;
  if (lock.packages?.['']) lock.packages[''].version = version;
  writeJson('package-lock.json', lock);
}
const task = readJson('task.json');
task.version = { Major: major, Minor: minor, Patch: patch };
writeJson('task.json', task);
const extension = readJson('vss-extension.json');
extension.version = version;
writeJson('vss-extension.json', extension);

// 2. What follows from the version and the repository.
writeExpected(root);

// 3. The changelog: Unreleased becomes this version's section; an empty Unreleased stays on top.
const repo = repositoryOf(pkg);
let text = changelog.replace(/^## \[Unreleased\][^\n]*\n/m, `## [Unreleased]\n\n## [${version}] - ${date}\n`);
// Link references at the end: the new Unreleased comparison and this tag, then older versions'.
const refs = [...text.matchAll(/^\[([^\]]+)\]: .*$/gm)].filter((m) => m[1] !== 'Unreleased').map((m) => m[0]);
text = text.replace(/^\[[^\]]+\]: .*\n?/gm, '').trimEnd();
text = `${text}\n\n${[
  `[Unreleased]: ${repo.url}/compare/v${version}...HEAD`,
  `[${version}]: ${repo.url}/releases/tag/v${version}`,
  ...refs,
].join('\n')}\n`;
writeFileSync(changelogFile, text);

const prettier = join(here, '..', 'node_modules', 'prettier', 'bin', 'prettier.cjs');
if (existsSync(prettier)) {
  spawnSync(
    process.execPath,
    [prettier, '--write', ...['package.json', 'task.json', 'vss-extension.json', 'CHANGELOG.md'].map(path)],
    { cwd: root, stdio: 'ignore' },
  );
}

// 4. The bundles users run.
if (!skipBuild) {
  const run = (file, ...rest) => {
    const r = spawnSync(process.execPath, [path(file), ...rest], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) fail(`${file} ${rest.join(' ')} failed (exit ${r.status}).`);
  };
  run('scripts/build.mjs');
  run('scripts/build.mjs', '--check');
  const cli = spawnSync(process.execPath, [path('dist/cli/main.js'), '--version'], { encoding: 'utf8' });
  if (!cli.stdout.includes(version)) {
    fail(`dist/cli/main.js --version printed '${cli.stdout.trim()}', not ${version}.`);
  }
  console.log(`release: dist/ rebuilt and fresh; the CLI reports ${version}.`);
}

// 5. What is left to the person releasing.
const tag = `v${version}`;
const moving = `v${major}`;
console.log(
  [
    `release: ${pkg.name} ${version} prepared (package.json, task.json ${major}.${minor}.${patch}, vss-extension.json, CHANGELOG.md).`,
    '',
    'Review the diff, then commit, tag and push:',
    `  git commit -am "Release ${tag}"`,
    `  git tag -a ${tag} -m "${tag}"`,
    `  git tag -f ${moving} ${tag}^{commit}`,
    `  git push origin ${tag}`,
    `  git push -f origin ${moving}`,
    '',
    `Tags to push: ${tag} and the moving ${moving} (users reference ${repo.slug}@${moving}).`,
    `Then publish the Azure DevOps extension: npm run package:vsix -- --public --publisher <publisher>`,
  ].join('\n'),
);
