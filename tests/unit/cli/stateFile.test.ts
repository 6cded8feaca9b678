import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateFile } from '../../../cli/stateFile';
import { describeError, StateError } from '../../../shared/errors';

describe('StateFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-state-'));

  it('reads back what was written, in a new directory, owner-only', () => {
    const file = new StateFile(join(dir, 'nested', 'state.json'));
    expect(file.read('jit-state')).toBe('');
    file.write('jit-state', '{"version":1}');
    expect(new StateFile(file.path).read('jit-state')).toBe('{"version":1}');
    if (process.platform !== 'win32') expect(statSync(file.path).mode & 0o777).toBe(0o600);
    file.remove();
    expect(file.exists()).toBe(false);
  });

  it('refuses a file that is not ours instead of treating it as empty', () => {
    const path = join(dir, 'other.json');
    writeFileSync(path, '{"hello":1}');
    expect(() => new StateFile(path).read('jit-state')).toThrow(StateError);
    writeFileSync(path, 'not json');
    expect(() => new StateFile(path).read('jit-state')).toThrow(/not valid JSON/);
    expect(readFileSync(path, 'utf8')).toBe('not json');
  });

  it('reports an unusable file as a state problem with what to do, not as a bug', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"format":');
    let thrown: unknown;
    try {
      new StateFile(path).read('jit-state');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(StateError);
    const text = describeError(thrown);
    expect(text).toContain(`State file ${path} is not valid JSON`);
    expect(text).toContain('What to do: Pass the file');
    expect(text).not.toMatch(/bug|--debug/);
  });
});
