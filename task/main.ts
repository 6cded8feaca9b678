// Entry of the task's main step (task.json `execution`, bundled to dist/task/main.js): turns on
// Node's compile cache where the Node has one (Node24 handler), then runs main from the bundle both
// steps share (steps.ts).
import { enableCompileCache } from '../shared/compileCache';
import type * as Steps from './steps';

enableCompileCache();
// A require, not an import: it must run after the cache is on. Kept external by scripts/build.mjs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('./steps') as typeof Steps).main();
