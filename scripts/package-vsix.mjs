// `npm run package:vsix`: builds the Azure DevOps extension (.vsix) offline with
// tfx-cli. It stages exactly what the Marketplace needs, so nothing from the repo
// leaks into the package:
//   vss-extension.json, overview.md, images/icon.png
//   <task folder>/task.json, icon.png, dist/task/*.js (+ .js.map, LEGAL.txt)
// The task folder keeps the repo's layout (task.json two levels above the
// bundles), so the handler targets in task.json are valid in both places.
// tfx only WARNS about an invalid task.json (exit code 0); warnings fail here.
//
// Publisher: --publisher <id>, else $AZURE_DEVOPS_PUBLISHER, else package.json's
// config.marketplacePublisher (scripts/metadata.mjs). A public build (--public) refuses to run
// without one; a private build without one is a development build under the publisher
// `azure-jit-access-dev`, named "... (dev)", never public.
//
// Options: --out-dir <dir> (default out/), --keep-staging (prints the folder), --public,
// --publisher <id>.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_PUBLISHER, outOfStep, PLACEHOLDERS } from './metadata.mjs';

// fileURLToPath, not URL.pathname: that is `/C:/...` on Windows and keeps `%20` for a space.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const outDir = resolve(option('--out-dir') ?? join(root, 'out'));
const keepStaging = args.includes('--keep-staging');
const publicBuild = args.includes('--public');

const fail = (message) => {
  console.error(`package:vsix: ${message}`);
  process.exit(1);
};
const readJson = (file) => JSON.parse(readFileSync(join(root, file), 'utf8'));

const pkg = readJson('package.json');
const task = readJson('task.json');
const extension = readJson('vss-extension.json');

// A Marketplace publisher ID: letters, digits and hyphens (the Marketplace's own rule).
const publisher = (
  option('--publisher') ??
  process.env.AZURE_DEVOPS_PUBLISHER ??
  pkg.config?.marketplacePublisher ??
  ''
).trim();
if (publisher !== '' && !/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(publisher)) {
  fail(`publisher '${publisher}' is not a Marketplace publisher ID (letters, digits and hyphens).`);
}
if (publicBuild && (publisher === '' || publisher === DEV_PUBLISHER)) {
  fail(
    'a public build needs the Marketplace publisher: pass --publisher <id> or set AZURE_DEVOPS_PUBLISHER ' +
      '(or config.marketplacePublisher in package.json). Without --public you get a private development build.',
  );
}
extension.publisher = publisher || DEV_PUBLISHER;
extension.public = publicBuild;
if (extension.publisher === DEV_PUBLISHER) extension.name = `${extension.name} (dev)`;

// One version everywhere: agents cache tasks by version, the Marketplace by extension version.
const taskVersion = `${task.version.Major}.${task.version.Minor}.${task.version.Patch}`;
if (pkg.version !== taskVersion || pkg.version !== extension.version) {
  fail(
    `versions disagree: package.json ${pkg.version}, task.json ${taskVersion}, vss-extension.json ${extension.version}. ` +
      'Set the same version in all three.',
  );
}

const stale = outOfStep(root);
if (stale.length > 0) fail(`out of step with package.json: ${stale.join(', ')}. Run 'npm run metadata'.`);

const taskContribution = extension.contributions?.find((c) => c.type === 'ms.vss-distributed-task.task');
const taskFolder = taskContribution?.properties?.name;
if (!taskFolder)
  fail('vss-extension.json has no ms.vss-distributed-task.task contribution with properties.name.');

const handlerTargets = [
  ...new Set(
    ['prejobexecution', 'execution', 'postjobexecution'].flatMap((stage) =>
      Object.values(task[stage] ?? {}).map((handler) => handler.target),
    ),
  ),
];
const missing = handlerTargets.filter((target) => !existsSync(join(root, target)));
if (missing.length > 0) fail(`handler target(s) missing: ${missing.join(', ')}. Run 'npm run build' first.`);

const staging = mkdtempSync(join(tmpdir(), 'jit-vsix-'));
const copy = (from, to = from) => {
  mkdirSync(dirname(join(staging, to)), { recursive: true });
  copyFileSync(join(root, from), join(staging, to));
};

writeFileSync(join(staging, 'vss-extension.json'), `${JSON.stringify(extension, null, 2)}\n`);
copy('overview.md');
copy('images/icon.png');
copy('task.json', join(taskFolder, 'task.json'));
// The task picker shows icon.png from the task folder.
copy('images/icon.png', join(taskFolder, 'icon.png'));
const bundleDirs = [...new Set(handlerTargets.map((target) => dirname(target)))];
for (const dir of bundleDirs) {
  for (const file of readdirSync(join(root, dir))) {
    if (file.endsWith('.js') || file.endsWith('.js.map') || file.endsWith('.LEGAL.txt'))
      copy(join(dir, file), join(taskFolder, dir, file));
  }
}

// Nothing that stood in for the real publisher or repository may ship.
const shipped = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? shipped(join(dir, e.name)) : [join(dir, e.name)],
  );
for (const file of shipped(staging).filter((f) => /\.(json|md|js)$/.test(f))) {
  const text = readFileSync(file, 'utf8');
  const hit = PLACEHOLDERS.find((p) => p.test(text));
  if (hit) fail(`${file.slice(staging.length + 1)} contains a placeholder (${hit}).`);
}

const tfx = join(
  dirname(createRequire(import.meta.url).resolve('tfx-cli/package.json')),
  '_build',
  'tfx-cli.js',
);
mkdirSync(outDir, { recursive: true });
const result = spawnSync(
  process.execPath,
  [
    tfx,
    'extension',
    'create',
    '--root',
    staging,
    '--manifest-globs',
    'vss-extension.json',
    '--output-path',
    outDir,
    '--no-prompt',
    '--no-color',
  ],
  { cwd: staging, encoding: 'utf8' },
);
const output = `${result.stdout}${result.stderr}`;
process.stdout.write(output);
if (!keepStaging) rmSync(staging, { recursive: true, force: true });
else console.log(`staging: ${staging}`);

if (result.status !== 0) fail(`tfx exited with ${result.status}.`);
// tfx reports an invalid task.json (bad id/name, missing handler target, only EOL runners) as a warning only.
const warnings = output.split(/\r?\n/).filter((line) => /warn/i.test(line));
if (warnings.length > 0) fail(`tfx printed ${warnings.length} warning(s); fix them:\n${warnings.join('\n')}`);

const vsix = join(outDir, `${extension.publisher}.${extension.id}-${extension.version}.vsix`);
if (!existsSync(vsix)) fail(`tfx did not write ${vsix}.`);
console.log(`package:vsix: ${vsix}`);
