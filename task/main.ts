// Entry of the task's main step (task.json `execution`, bundled to dist/task/main.js).
import { runMain } from '../shared/run';
import { runStep } from './runtime';

runStep(runMain);
