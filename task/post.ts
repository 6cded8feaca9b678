// Entry of the task's post-job step (task.json `postjobexecution`, bundled to dist/task/post.js):
// loads the bundle both steps share (steps.ts) through the compile cache (shared/compileCache.ts),
// so post reads back what main compiled, then runs post.
import { join } from 'node:path';
import { loadCompiled } from '../shared/compileCache';
import type * as Steps from './steps';

loadCompiled<typeof Steps>(join(__dirname, 'steps.js')).post();
