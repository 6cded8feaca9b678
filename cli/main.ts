#!/usr/bin/env node
// Entry of the `azure-jit-access` command (package.json `bin`, bundled to dist/cli/main.js): loads the
// command's program (dist/cli/program.js) through V8's code cache, in a folder of the user's own. A
// command is run again and again: from the second run on, the program is read back compiled.
import { join } from 'node:path';
import { loadCompiled } from '../shared/compileCache';
import type * as Program from './program';

loadCompiled<typeof Program>(join(__dirname, 'program.js')).run();
