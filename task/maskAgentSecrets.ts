/**
 * Imported FIRST by both entry files, before azure-pipelines-task-lib loads: while
 * loading, task-lib reads the agent's proxy and client-certificate settings and
 * debug-logs every value, the proxy and certificate passwords included. Masking
 * them here, before that, keeps them out of every line the task writes.
 * (The agent passes secret variables as SECRET_<NAME>, older agents as <NAME>.)
 */
import { TaskCommand } from 'azure-pipelines-task-lib/taskcommand';
import { EOL } from 'node:os';

const AGENT_SECRETS = ['AGENT_PROXYPASSWORD', 'AGENT_CLIENTCERTPASSWORD'];

for (const name of AGENT_SECRETS) {
  const value = process.env[`SECRET_${name}`] || process.env[name];
  // The agent refuses multi-line secrets; these are single-line passwords.
  if (value && !/[\r\n]/.test(value))
    process.stdout.write(new TaskCommand('task.setsecret', {}, value).toString() + EOL);
}
