// The code of both Action steps, one bundle (dist/action/steps.js) that main.js and post.js load:
// compiled once into Node's compile cache by main, reused by post.
import { runMain, runPost } from '../shared';
import { runOnGitHub } from './runtime';

export const main = (): void => runOnGitHub(runMain);
export const post = (): void => runOnGitHub(runPost);
