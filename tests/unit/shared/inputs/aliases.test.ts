import { readWithAliases } from '../../../../shared/inputs/aliases';
import { InputError } from '../../../../shared/errors';

const reader = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('readWithAliases: `environment` is another name for `cloud`', () => {
  it('takes environment when cloud is unset or at its default (the runner passes defaults)', () => {
    expect(readWithAliases('cloud', reader({ environment: 'AzureUSGovernment' }))).toBe('AzureUSGovernment');
    expect(readWithAliases('cloud', reader({ cloud: 'AzureCloud', environment: 'azurechinacloud' }))).toBe(
      'azurechinacloud',
    );
  });

  it('keeps cloud when environment is unset or says the same', () => {
    expect(readWithAliases('cloud', reader({ cloud: 'Custom' }))).toBe('Custom');
    expect(readWithAliases('cloud', reader({ cloud: 'Custom', environment: 'custom' }))).toBe('custom');
  });

  it('refuses two different values, naming both', () => {
    const read = reader({ cloud: 'AzureChinaCloud', environment: 'AzureUSGovernment' });
    expect(() => readWithAliases('cloud', read)).toThrow(InputError);
    expect(() => readWithAliases('cloud', read)).toThrow(/differs from environment \(AzureUSGovernment\)/);
  });

  it('inputs without aliases are read as they are', () => {
    expect(readWithAliases('ports', reader({ ports: '22', environment: 'x' }))).toBe('22');
  });
});
