// Entry of the task's main step (task.json `execution`, bundled to dist/task/main.js).
import './maskAgentSecrets'; // first: task-lib logs the agent's proxy password while it loads
import { runMain } from '../shared/run';
import { runStep } from './runtime';

runStep(runMain);
