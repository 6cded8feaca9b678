// Entry of the Action's main step (action.yml `runs.main`, bundled to dist/action/main.js): turns on
// Node's compile cache, then runs main from the bundle both steps share (steps.ts).
import { enableCompileCache } from '../shared/compileCache';
import type * as Steps from './steps';

enableCompileCache();
// A require, not an import: it must run after the cache is on. Kept external by scripts/build.mjs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('./steps') as typeof Steps).main();
