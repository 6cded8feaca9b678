// Entry of the task's post-job step (task.json `postjobexecution`, bundled to dist/task/post.js): turns on
// Node's compile cache where the Node has one (Node24 handler), then runs post from the bundle both
// steps share (steps.ts).
import { enableCompileCache } from '../shared/compileCache';
import type * as Steps from './steps';

enableCompileCache();
// A require, not an import: it must run after the cache is on. Kept external by scripts/build.mjs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('./steps') as typeof Steps).post();
