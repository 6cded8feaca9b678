/**
 * What every subcommand gets: its parsed flags, the terminal, the credential
 * chain and the process's surroundings (env, cancellation, extra CA).
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { isGuid, type Connect } from '../shared';
import { flagText, UsageError, type CommandName, type FlagValues } from './args';
import { cliConnect } from './auth';
import type { Terminal, Writer } from './terminal';

/** The process around the CLI; `main.ts` passes the real one, the demo and tests their own. */
export interface CliIo {
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly env: NodeJS.ProcessEnv;
  /** stdout is a TTY: draw a status line instead of heartbeat lines. */
  readonly interactive: boolean;
  /** ANSI escape codes allowed (`style.ts`); false when absent. */
  readonly ansi?: boolean;
  /** Aborted on SIGINT / SIGTERM. */
  readonly signal?: AbortSignal;
  /** Extra trusted CA (PEM), in-process callers only (the demo passes the emulator's). */
  readonly tlsCa?: string;
  readonly cwd: string;
}

export interface CommandContext {
  readonly command: CommandName;
  readonly flags: FlagValues;
  readonly terminal: Terminal;
  readonly io: CliIo;
  readonly connect: Connect;
  /** CA bundle for the core's HTTPS calls when one was given (--ca-file or in-process). */
  readonly tlsCa?: string;
}

/**
 * --ca-file adds to the public CAs (as NODE_EXTRA_CA_CERTS does) rather than
 * replacing them: Node's `ca` option replaces the default trust store.
 */
function caBundle(flags: FlagValues, io: CliIo): string | undefined {
  const path = flagText(flags, 'ca-file');
  const extra: string[] = [];
  if (io.tlsCa) extra.push(io.tlsCa);
  if (path) {
    try {
      const pem = readFileSync(path, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
      extra.push(pem);
    } catch (error) {
      throw new UsageError(
        `--ca-file ${JSON.stringify(path)} cannot be used: ${error instanceof Error ? error.message : String(error)}. Give a PEM file with the CA certificate.`,
      );
    }
  }
  if (extra.length === 0) return undefined;
  // An explicit `ca` also drops what NODE_EXTRA_CA_CERTS added to the default store: keep it.
  const envExtra = io.env.NODE_EXTRA_CA_CERTS;
  if (envExtra) {
    try {
      extra.push(readFileSync(envExtra, 'utf8'));
    } catch {
      // Node itself warns about an unreadable NODE_EXTRA_CA_CERTS at start.
    }
  }
  return [...rootCertificates, ...extra].join('\n');
}

export function createContext(
  command: CommandName,
  flags: FlagValues,
  terminal: Terminal,
  io: CliIo,
): CommandContext {
  const tlsCa = caBundle(flags, io);
  const subscription = flagText(flags, 'subscription').trim();
  if (subscription && !isGuid(subscription)) {
    throw new UsageError(
      `--subscription ${JSON.stringify(subscription)} is not a subscription ID (a GUID such as 00000000-0000-0000-0000-000000000000). 'az account list -o table' lists yours.`,
      command,
    );
  }
  const connect = cliConnect({
    ...(subscription ? { subscription } : {}),
    ...(tlsCa ? { tlsCa } : {}),
    onSecret: (v) => terminal.addSecret(v),
    debug: (m) => terminal.log('debug', m),
    env: io.env,
  });
  return { command, flags, terminal, io, connect, ...(tlsCa ? { tlsCa } : {}) };
}
