// Entry of the task's post-job step (task.json `postjobexecution`, bundled to dist/task/post.js).
// The agent runs it always, even when main failed or was skipped: without state it does nothing.
import './maskAgentSecrets'; // first: task-lib logs the agent's proxy password while it loads
import { runPost } from '../shared/run';
import { runStep } from './runtime';

runStep(runPost);
