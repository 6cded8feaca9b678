/**
 * The Azure CLI's current subscription (`az account show`), for the front-ends
 * that sign in with an `az` session (the Action after azure/login, the CLI after
 * `az login`) and were given no subscription. Best effort: undefined when `az`
 * is missing, not signed in or slow.
 */
import type * as ChildProcess from 'node:child_process';

export const AZ_ACCOUNT_SHOW_TIMEOUT_MS = 30_000;

export function azCliSubscription(
  timeoutMs: number = AZ_ACCOUNT_SHOW_TIMEOUT_MS,
): Promise<string | undefined> {
  // Loaded here, not at start-up: child_process (which loads dgram) costs every start a few ms.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFile } = require('node:child_process') as typeof ChildProcess;
  return new Promise((resolve) => {
    execFile(
      'az',
      ['account', 'show', '--query', 'id', '--output', 'tsv'],
      // az is a .cmd script on Windows, which only runs through a shell.
      { timeout: timeoutMs, shell: process.platform === 'win32' },
      (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined),
    );
  });
}
