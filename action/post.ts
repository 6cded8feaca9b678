// Entry of the Action's post step (action.yml `runs.post`, bundled to dist/action/post.js).
import { runPost } from '../shared/run';
import { runOnGitHub } from './runtime';

runOnGitHub(runPost);
