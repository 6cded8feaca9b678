#!/usr/bin/env node
// Entry of the `azure-jit-access` command (package.json `bin`, bundled to dist/cli/main.js): turns on
// Node's compile cache in a folder of the user's own, then runs the command from dist/cli/program.js.
// A command is run again and again: from the second run on, the program is read back compiled.
import { enableCompileCache } from '../shared/compileCache';
import type * as Program from './program';

enableCompileCache(process.env, { bundle: 'program', userCache: true });
// A require, not an import: it must run after the cache is on. Kept external by scripts/build.mjs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('./program') as typeof Program).run();
