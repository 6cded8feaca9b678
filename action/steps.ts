// The code of both Action steps, one bundle (dist/action/steps.js) that main.js and post.js load:
// main leaves it compiled in RUNNER_TEMP (shared/compileCache.ts), post reads it back.
import { runMain, runPost } from '../shared';
import { runOnGitHub } from './runtime';

export const main = (): void => runOnGitHub(runMain);
export const post = (): void => runOnGitHub(runPost);
