// Entry of the Action's main step (action.yml `runs.main`, bundled to dist/action/main.js).
import { runMain } from '../shared/run';
import { runOnGitHub } from './runtime';

runOnGitHub(runMain);
