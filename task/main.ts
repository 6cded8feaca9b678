// Entry of the task's main step (task.json `execution`, bundled to dist/task/main.js):
// loads the bundle both steps share (steps.ts) through the compile cache (shared/compileCache.ts),
// so post reads back what main compiled, then runs main.
import { join } from 'node:path';
import { loadCompiled } from '../shared/compileCache';
import type * as Steps from './steps';

loadCompiled<typeof Steps>(join(__dirname, 'steps.js')).main();
