import { cloudInputs } from '../../../cli/cloudEnv';
import { describeError, InputError } from '../../../shared/errors';
import { CLI } from '../../../shared/frontEnd';

const none = { cloud: '', 'arm-endpoint': '', 'authority-host': '' };

describe('cloudInputs: flags first, then the environment', () => {
  it('nothing set: the core default (AzureCloud)', () => {
    expect(cloudInputs({}, {})).toEqual(none);
  });

  it('an ARM endpoint in the environment means Custom, with AZURE_AUTHORITY_HOST as authority', () => {
    expect(
      cloudInputs(
        {},
        { JIT_ACCESS_ARM_ENDPOINT: 'https://arm.local', AZURE_AUTHORITY_HOST: 'https://login.local' },
      ),
    ).toEqual({
      cloud: 'Custom',
      'arm-endpoint': 'https://arm.local',
      'authority-host': 'https://login.local',
    });
  });

  it('AZURE_AUTHORITY_HOST alone picks the public cloud it belongs to', () => {
    expect(cloudInputs({}, { AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/' })).toEqual({
      ...none,
      cloud: 'AzureUSGovernment',
    });
  });

  it('AZURE_AUTHORITY_HOST of no known cloud, without an ARM endpoint, names what to set', () => {
    expect(() => cloudInputs({}, { AZURE_AUTHORITY_HOST: 'https://login.local' })).toThrow(InputError);
    expect(() => cloudInputs({}, { AZURE_AUTHORITY_HOST: 'https://login.local' })).toThrow(
      /JIT_ACCESS_ARM_ENDPOINT/,
    );
  });

  it('a named cloud with its own authority exported is fine; with another one it is refused', () => {
    expect(
      cloudInputs({ cloud: 'AzureCloud' }, { AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com' }),
    ).toEqual({ ...none, cloud: 'AzureCloud' });
    expect(() =>
      cloudInputs({}, { JIT_ACCESS_CLOUD: 'AzureChinaCloud', AZURE_AUTHORITY_HOST: 'https://login.local' }),
    ).toThrow(/is not the authority of AzureChinaCloud/);
  });

  it('names the environment variable as one, not as a flag', () => {
    let error: unknown;
    try {
      cloudInputs({}, { JIT_ACCESS_CLOUD: 'AzureChinaCloud', AZURE_AUTHORITY_HOST: 'https://login.local' });
    } catch (e) {
      error = e;
    }
    expect(describeError(error, CLI)).toContain(
      'Invalid environment variable AZURE_AUTHORITY_HOST = "https://login.local"',
    );
    expect(describeError(error, CLI)).not.toContain('--AZURE');
  });

  it('flags win over the environment', () => {
    expect(
      cloudInputs(
        { cloud: 'Custom', 'arm-endpoint': 'https://a', 'authority-host': 'https://b' },
        {
          JIT_ACCESS_CLOUD: 'AzureCloud',
          JIT_ACCESS_ARM_ENDPOINT: 'https://x',
          AZURE_AUTHORITY_HOST: 'https://y',
        },
      ),
    ).toEqual({ cloud: 'Custom', 'arm-endpoint': 'https://a', 'authority-host': 'https://b' });
  });
});
