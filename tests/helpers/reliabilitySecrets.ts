/**
 * The secret collector: every text a run leaves where people or later steps can
 * read it (stdout, stderr, state, outputs, summaries) goes through `scan*`, and
 * must contain none of the secrets, certificates, assertions and tokens the
 * tests used. Besides the known values it flags ANY JWT (access tokens, OIDC ID
 * tokens, client assertions are all JWTs), so a token minted during the run,
 * which the test never saw, is caught too.
 *
 * Usable by any suite: build it from the emulator handle, call the `scan*`
 * method matching the harness, assert `scanner.leaks` is empty at the end.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AdoStepResult } from './adoAgent';
import type { FakePlatform } from './fakePlatform';
import type { StepResult } from './githubRunner';

/** The emulator handle's secret-bearing parts (structural, so this helper needs no emulator import). */
export interface SecretSources {
  readonly principals: Readonly<
    Record<string, { readonly secret?: string; readonly certificatePem?: string }>
  >;
  readonly github: { readonly requestToken: string };
  readonly ado: { readonly accessToken: string };
}

/** header.payload.signature, both JSON parts base64url (`eyJ` = `{"`). */
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/** The base64 lines of a PEM private key: the part of a certificate credential that is secret. */
export function privateKeyLines(pem: string): string[] {
  const block = /-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END [A-Z ]*PRIVATE KEY-----/.exec(pem)?.[1];
  return (block ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 16);
}

export interface Leak {
  readonly where: string;
  /** The first characters only: the report must not print the secret it found. */
  readonly what: string;
}

export class SecretScanner {
  private readonly secrets = new Set<string>();
  readonly leaks: Leak[] = [];
  /** Texts scanned (one per stream/file/record), for the report. */
  scanned = 0;

  constructor(sources?: SecretSources) {
    if (!sources) return;
    for (const p of Object.values(sources.principals)) {
      if (p.secret) this.add(p.secret);
      if (p.certificatePem) this.add(...privateKeyLines(p.certificatePem));
    }
    this.add(sources.github.requestToken, sources.ado.accessToken);
  }

  /** Registers more values that must never show (values shorter than 8 characters would match noise). */
  add(...values: readonly string[]): void {
    for (const v of values) if (v.length >= 8) this.secrets.add(v);
  }

  get known(): number {
    return this.secrets.size;
  }

  /** Scans one text; returns (and records) what leaked into it. */
  scanText(where: string, text: string): Leak[] {
    this.scanned += 1;
    const found: Leak[] = [];
    for (const s of this.secrets) if (text.includes(s)) found.push({ where, what: `${s.slice(0, 4)}…` });
    for (const m of text.matchAll(JWT)) found.push({ where, what: `JWT ${m[0].slice(0, 10)}…` });
    this.leaks.push(...found);
    return found;
  }

  /** A GitHub step: the log the runner keeps (stdout minus consumed ::add-mask:: lines), stderr, files. */
  scanGitHub(label: string, step: StepResult): Leak[] {
    return [
      ...this.scanText(`${label} stdout`, step.stdoutWithoutMaskCommands),
      ...this.scanText(`${label} stderr`, step.stderr),
      ...this.scanText(`${label} GITHUB_STATE`, step.stateFile),
      ...this.scanText(`${label} GITHUB_OUTPUT`, step.outputFile),
      ...this.scanText(`${label} step summary`, step.summary),
    ];
  }

  /** An Azure DevOps step: the log minus consumed setsecret commands, stderr, variables, summaries. */
  scanAdo(label: string, step: AdoStepResult): Leak[] {
    return [
      ...this.scanText(`${label} stdout`, step.stdoutWithoutSecretCommands),
      ...this.scanText(`${label} stderr`, step.stderr),
      ...this.scanText(`${label} task variables`, JSON.stringify(step.taskVariables)),
      ...this.scanText(`${label} output variables`, JSON.stringify(step.outputs)),
      ...this.scanText(`${label} summaries`, step.summaries.map((s) => s.content).join('\n')),
    ];
  }

  /** An in-process run: everything the core handed the platform, BEFORE masking. */
  scanFake(label: string, platform: FakePlatform): Leak[] {
    return this.scanText(`${label} platform records`, platform.allRecordedText().join('\n'));
  }

  /** Folds another scanner's secrets, counts and leaks into this one (per-emulator scanners → one report). */
  absorb(other: SecretScanner): void {
    for (const v of other.secrets) this.secrets.add(v);
    this.scanned += other.scanned;
    this.leaks.push(...other.leaks);
  }

  summary(): string {
    return `secret scan: ${this.scanned} texts against ${this.known} secrets + any JWT, ${this.leaks.length} leaks`;
  }
}

/** Where the runner harnesses leave each step's files (githubRunner: gh-step-*, adoAgent: ado-agent-temp-*). */
const STEP_DIR = /^(gh-step-|ado-agent-temp-)/;
const STEP_FILE = /^(output\.txt|state\.txt|step_summary\.md)$|\.md$/;

/**
 * Sweeps the files every harness run left in the temp directory, whichever suite ran it
 * (the GitHub outputs, state and summary files; the ADO summaries): the hook into the
 * other suites' results that needs no change to their harnesses. Only files younger than
 * `maxAgeMs` are read, so an old checkout's leftovers do not count.
 */
export function sweepStepFiles(
  scanner: SecretScanner,
  tempDir: string,
  maxAgeMs: number,
): { dirs: number; files: number } {
  const since = Date.now() - maxAgeMs;
  let dirs = 0;
  let files = 0;
  for (const entry of readdirSync(tempDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !STEP_DIR.test(entry.name)) continue;
    const dir = join(tempDir, entry.name);
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(dir);
    } catch {
      continue; // removed meanwhile
    }
    if (stat.mtimeMs < since) continue;
    dirs += 1;
    for (const f of readdirSync(dir, { withFileTypes: true })) {
      if (!f.isFile() || !STEP_FILE.test(f.name)) continue;
      try {
        scanner.scanText(`${entry.name}/${f.name}`, readFileSync(join(dir, f.name), 'utf8'));
        files += 1;
      } catch {
        // A step still writing, or cleaned up by its suite: nothing to scan.
      }
    }
  }
  return { dirs, files };
}
