// Every test file gets a temp folder of its own, removed when the file ends: whatever a suite,
// a helper, the in-process emulator (its CA file) or a child process that inherits the
// environment writes under os.tmpdir() goes there, so a run leaves no temp folders behind (a
// day of runs used to leave thousands in /tmp). Jest runs one file at a time per worker, so
// pointing TMPDIR/TMP/TEMP (what os.tmpdir() reads) at it for the file's lifetime is safe.
const {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

const VARIABLES = ['TMPDIR', 'TMP', 'TEMP'];
// The emulator's RSA key cache (emulator/identity/rsaKeys.ts) outlives a run on purpose: key
// generation is the slow part of an emulator's first start. It stays in the real temp folder.
const KEPT = 'azure-jit-access-emulator';
// The runner harnesses' step folders (tests/helpers/githubRunner.ts: gh-step-*, adoAgent.ts:
// ado-agent-temp-*): their outputs, state and summaries are kept in one folder for a few hours,
// for the secrets suite's sweep over every suite's step files (tests/e2e/reliability/secrets.test.ts).
const STEP_FILES = 'azure-jit-access-step-files';
const STEP_DIR = /^(gh-step-|ado-agent-temp-)/;
const STEP_FILE = /^(output\.txt|state\.txt|step_summary\.md)$|\.md$/;
const STEP_FILES_KEPT_MS = 3 * 60 * 60_000;

/** Removes kept step folders older than the sweep looks back. */
function pruneStepFiles(dir) {
  const since = Date.now() - STEP_FILES_KEPT_MS;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      if (statSync(path).mtimeMs < since) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another worker pruned it meanwhile.
    }
  }
}

/** Copies the step files (not the workspaces, tools or compile caches) of `root`'s step folders to `dir`. */
function keepStepFiles(root, dir) {
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !STEP_DIR.test(entry.name)) continue;
    const files = readdirSync(join(root, entry.name), { withFileTypes: true }).filter(
      (f) => f.isFile() && STEP_FILE.test(f.name),
    );
    if (files.length === 0) continue;
    mkdirSync(join(dir, entry.name), { recursive: true, mode: 0o700 });
    for (const f of files) copyFileSync(join(root, entry.name, f.name), join(dir, entry.name, f.name));
  }
}

class TempDirEnvironment extends TestEnvironment {
  constructor(config, context) {
    const outer = tmpdir();
    const root = mkdtempSync(join(outer, 'jit-test-'));
    const stepFiles = join(outer, STEP_FILES);
    try {
      mkdirSync(join(outer, KEPT), { recursive: true, mode: 0o700 });
      symlinkSync(join(outer, KEPT), join(root, KEPT), process.platform === 'win32' ? 'junction' : 'dir');
    } catch {
      // Without the link the emulator only generates its keys again.
    }
    mkdirSync(stepFiles, { recursive: true, mode: 0o700 });
    pruneStepFiles(stepFiles);
    const saved = VARIABLES.map((v) => [v, process.env[v]]);
    for (const v of VARIABLES) process.env[v] = root;
    process.env.JIT_TEST_STEP_FILES = stepFiles;
    // The test file's `process.env` is a copy made here, so it sees the folders too.
    super(config, context);
    this.tempRoot = root;
    this.stepFiles = stepFiles;
    this.savedTemp = saved;
  }

  async teardown() {
    await super.teardown();
    for (const [v, value] of this.savedTemp)
      if (value === undefined) delete process.env[v];
      else process.env[v] = value;
    delete process.env.JIT_TEST_STEP_FILES;
    try {
      keepStepFiles(this.tempRoot, this.stepFiles);
    } finally {
      // The link is removed, not followed.
      rmSync(this.tempRoot, { recursive: true, force: true, maxRetries: 3 });
    }
  }
}

module.exports = TempDirEnvironment;
