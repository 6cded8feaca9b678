// The code of both task steps, one bundle (dist/task/steps.js) that main.js and post.js load:
// main leaves it compiled in the agent's temp folder (shared/compileCache.ts), post reads it back.
// The post-job step runs always, even when main failed or was skipped: without state it does nothing.
import './maskAgentSecrets'; // first: task-lib logs the agent's proxy password while it loads
import { runMain, runPost } from '../shared';
import { runStep } from './runtime';

export const main = (): void => runStep(runMain);
export const post = (): void => runStep(runPost);
