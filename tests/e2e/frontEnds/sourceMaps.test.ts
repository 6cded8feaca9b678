/**
 * Every file users run ships with its source map beside it (scripts/build.mjs: linked, not inlined,
 * so start-up never reads it): with `node --enable-source-maps`, a stack trace from a user's log
 * points at our sources and the packages', not at a minified line. Each case follows a shipped
 * file's `sourceMappingURL` and asks Node's own source-map reader where a text known to come from
 * one source file lies in the bundle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/githubRunner';

jest.setTimeout(60_000);

const DIST = join(REPO_ROOT, 'dist');

/** Per shipped file: a text that occurs once in it, and the source file it comes from. */
const MARKERS: Record<string, { readonly text: string; readonly source: string }> = {
  'action/main.js': { text: 'azure-jit-access-compile-cache', source: 'shared/compileCache.ts' },
  'action/post.js': { text: 'azure-jit-access-compile-cache', source: 'shared/compileCache.ts' },
  'action/steps.js': { text: 'Ignoring unknown keys in creds', source: 'action/githubAuth.ts' },
  'action/oidc.js': {
    text: 'Failed to get ID Token',
    source: 'node_modules/@actions/core/src/oidc-utils.ts',
  },
  'action/undici.js': {
    text: 'Proxy uri is mandatory',
    source: 'node_modules/undici/lib/dispatcher/proxy-agent.js',
  },
  'action/jwt.js': { text: 'jwt must be provided', source: 'node_modules/jsonwebtoken/verify.js' },
  'task/main.js': { text: 'azure-jit-access-compile-cache', source: 'shared/compileCache.ts' },
  'task/post.js': { text: 'azure-jit-access-compile-cache', source: 'shared/compileCache.ts' },
  'task/steps.js': { text: 'The step did not complete; see the log above.', source: 'task/runtime.ts' },
  'task/jwt.js': { text: 'jwt must be provided', source: 'node_modules/jsonwebtoken/verify.js' },
  'cli/main.js': { text: 'azure-jit-access-compile-cache', source: 'shared/compileCache.ts' },
  'cli/program.js': { text: 'JIT access was not requested', source: 'cli/summaryText.ts' },
  'cli/jwt.js': { text: 'jwt must be provided', source: 'node_modules/jsonwebtoken/verify.js' },
};

const shipped = readdirSync(DIST).flatMap((front) =>
  readdirSync(join(DIST, front))
    .filter((name) => name.endsWith('.js'))
    .map((name) => `${front}/${name}`),
);

it('every shipped .js file has a case here (a new bundle gets its own)', () => {
  expect(shipped.sort()).toEqual(Object.keys(MARKERS).sort());
});

/**
 * Where `text` is in `file`, as Node's own source-map support reads the map the file links to
 * (`module.SourceMap`, what `--enable-source-maps` uses): the original source, or why not.
 */
function originalSourceOf(file: string, text: string): string {
  const script = `
    const { readFileSync } = require('node:fs');
    const { dirname, join } = require('node:path');
    const { SourceMap } = require('node:module');
    const file = ${JSON.stringify(file)};
    const code = readFileSync(file, 'utf8');
    const link = /\\/\\/# sourceMappingURL=(\\S+)\\s*$/.exec(code);
    if (!link) { process.stdout.write('no sourceMappingURL'); process.exit(); }
    const map = new SourceMap(JSON.parse(readFileSync(join(dirname(file), link[1]), 'utf8')));
    const before = code.slice(0, code.indexOf(${JSON.stringify(text)})).split('\\n');
    const entry = map.findEntry(before.length - 1, before[before.length - 1].length);
    process.stdout.write(entry.originalSource ?? 'no entry');`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  return run.stdout || run.stderr;
}

describe.each(Object.entries(MARKERS))('%s', (name, { text, source }) => {
  const file = join(DIST, name);

  it(`links its map, which Node reads back to ${source}`, () => {
    const code = readFileSync(file, 'utf8');
    expect(code.split(text)).toHaveLength(2);
    expect(code.trimEnd().endsWith(`//# sourceMappingURL=${name.split('/')[1]}.map`)).toBe(true);
    expect(existsSync(`${file}.map`)).toBe(true);
    // The map names each source relative to the bundle, as the build saw it.
    expect(decodeURIComponent(originalSourceOf(file, text))).toMatch(
      new RegExp(`/${source.replace(/[.]/g, '\\.')}$`),
    );
  });
});
