// Entry of the task's post-job step (task.json `postjobexecution`, bundled to dist/task/post.js).
// The agent runs it always, even when main failed or was skipped: without state it does nothing.
import { runPost } from '../shared/run';
import { runStep } from './runtime';

runStep(runPost);
