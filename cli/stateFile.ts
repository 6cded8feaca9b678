/**
 * The CLI's stand-in for a runner's state store: `request` saves what it
 * opened to a JSON file, `close` reads it back (a later process, maybe a
 * shell `trap`). The file holds the core's state document (rule names,
 * NSG ids, end time; never a token) and is written atomically, readable by
 * its owner only.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname } from 'node:path';
import { StateError, type StateKey } from '../shared';

const FORMAT = 'azure-jit-access/cli-state';

/** The folder of the default state file (`.azure-jit-access/state.json`): ours to remove when empty. */
const STATE_DIR = '.azure-jit-access';

interface StateFileDocument {
  readonly format: typeof FORMAT;
  readonly savedAt: string;
  readonly entries: Partial<Record<StateKey, string>>;
}

/** What to do about a state file we cannot use: nothing we opened is lost, it closes by itself. */
const NOT_OURS_HINT =
  "Pass the file 'azure-jit-access request' wrote (--state-file), or delete this one if it is not from azure-jit-access; " +
  'access it recorded closes by itself at its end time.';

export class StateFile {
  constructor(readonly path: string) {}

  exists(): boolean {
    return existsSync(this.path);
  }

  /** '' when the file or the key is absent, as a runner's getState does. */
  read(key: StateKey): string {
    if (!this.exists()) return '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      throw new StateError(
        `State file ${this.path} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
        NOT_OURS_HINT,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || (parsed as { format?: unknown }).format !== FORMAT) {
      throw new StateError(
        `${this.path} is not an azure-jit-access state file (no "format": "${FORMAT}").`,
        NOT_OURS_HINT,
      );
    }
    const value = (parsed as StateFileDocument).entries?.[key];
    return typeof value === 'string' ? value : '';
  }

  write(key: StateKey, value: string): void {
    const entries: Partial<Record<StateKey, string>> = {};
    entries[key] = value;
    const doc: StateFileDocument = { format: FORMAT, savedAt: new Date().toISOString(), entries };
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    // Write then rename: a crash mid-write never leaves a half file that `close` cannot read.
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
    try {
      chmodSync(this.path, 0o600);
    } catch {
      // Best effort (e.g. some Windows file systems); the content holds no secret.
    }
  }

  /** Deletes the file, and the default `.azure-jit-access/` folder with it once nothing else is in it. */
  remove(): void {
    rmSync(this.path, { force: true });
    const dir = dirname(this.path);
    if (basename(dir) !== STATE_DIR) return;
    try {
      rmdirSync(dir); // fails, as intended, while another state file is still in it
    } catch {
      // not empty or already gone: leave it
    }
  }
}
