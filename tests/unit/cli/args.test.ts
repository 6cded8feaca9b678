import {
  closest,
  COMMANDS,
  flagText,
  parseCommandLine,
  UsageError,
  type ParsedCommand,
} from '../../../cli/args';
import { EXIT } from '../../../cli/exitCodes';
import { INPUTS, type InputName } from '../../../shared/inputs/table';

function parsed(argv: string[]): ParsedCommand {
  const p = parseCommandLine(argv);
  if (!('command' in p)) throw new Error(`expected a command, got ${JSON.stringify(p)}`);
  return p;
}

function usageError(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error(`${argv.join(' ')} parsed without error`);
}

describe('CLI flags', () => {
  it('request takes every core input except close-on-post, with the same name', () => {
    const flags = Object.keys(COMMANDS.request.flags);
    for (const name of Object.keys(INPUTS) as InputName[]) {
      if (name === 'close-on-post') expect(flags).not.toContain(name);
      else expect(flags).toContain(name);
    }
  });

  it('validate never takes --dry-run (it always is one)', () => {
    expect(Object.keys(COMMANDS.validate.flags)).not.toContain('dry-run');
    expect(usageError(['validate', '--dry-run']).message).toContain('--dry-run');
  });

  it('joins repeated list flags with new lines, as a multi-line input', () => {
    const p = parsed(['request', '--vms', 'web-01', '--vms', 'web-02,win-01', '--ports', '22']);
    expect(flagText(p.values, 'vms')).toBe('web-01\nweb-02,win-01');
    expect(flagText(p.values, 'ports')).toBe('22');
    expect(flagText(p.values, 'duration')).toBe('');
  });

  it('booleans read as the string true, unset as empty', () => {
    const p = parsed(['request', '--vms', 'a', '--ports', '22', '--dry-run']);
    expect(flagText(p.values, 'dry-run')).toBe('true');
    expect(flagText(p.values, 'allow-any-source')).toBe('');
  });

  it('--probe takes auto, true or false, and alone still means true', () => {
    const value = (args: string[]) => flagText(parsed(['request', ...args]).values, 'probe');
    expect(value(['--vms', 'a', '--probe', '--ports', '22'])).toBe('true');
    expect(value(['--vms', 'a', '--ports', '22', '--probe'])).toBe('true');
    expect(value(['--probe', 'false', '--vms', 'a'])).toBe('false');
    expect(value(['--probe=auto', '--vms', 'a'])).toBe('auto');
    expect(value(['--vms', 'a'])).toBe('');
    // A bad value is the core's to refuse (an InputError naming --probe), not a usage error.
    expect(value(['--probe', 'perhaps'])).toBe('perhaps');
  });

  it('names an unknown flag and suggests the closest', () => {
    const e = usageError(['request', '--vm', 'web-01']);
    expect(e.exitCode).toBe(EXIT.usage);
    expect(e.message).toContain('Unknown flag --vm');
    expect(e.message).toContain('Did you mean --vms?');
    expect(e.message).toContain('azure-jit-access request --help');
  });

  it('says which command a flag belongs to when it is used on another', () => {
    expect(usageError(['status', '--ports', '22']).message).toContain("belongs to 'request'");
  });

  it('refuses a boolean flag with a value and a missing value', () => {
    expect(usageError(['request', '--dry-run=yes']).message).toContain('--dry-run');
    expect(usageError(['request', '--vms']).message).toContain('--vms');
  });

  it('refuses positional arguments, showing where the value should go', () => {
    expect(usageError(['status', 'web-01']).message).toContain("Unexpected argument 'web-01'");
  });

  it('suggests a command for a typo', () => {
    const e = usageError(['reqest']);
    expect(e.message).toContain("Did you mean 'request'?");
  });

  it('recognises help and version', () => {
    expect(parseCommandLine([])).toEqual({ help: 'root' });
    expect(parseCommandLine(['--help'])).toEqual({ help: 'root' });
    expect(parseCommandLine(['help', 'close'])).toEqual({ help: 'close' });
    expect(parseCommandLine(['audit', '-h'])).toEqual({ help: 'audit' });
    expect(parseCommandLine(['--version'])).toEqual({ version: true });
  });

  it('closest() only suggests near words', () => {
    expect(closest('resource-grp', ['resource-group', 'vms'])).toBe('resource-group');
    expect(closest('xyz', ['resource-group', 'vms'])).toBeUndefined();
  });
});
