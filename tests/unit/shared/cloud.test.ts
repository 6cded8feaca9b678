import { InputError } from '../../../shared/errors';
import { KNOWN_CLOUDS, resolveCloud } from '../../../shared/cloud';

describe('resolveCloud', () => {
  it.each([
    [
      'AzureCloud',
      'https://management.azure.com',
      'https://login.microsoftonline.com',
      'https://management.azure.com/.default',
    ],
    [
      'AzureUSGovernment',
      'https://management.usgovcloudapi.net',
      'https://login.microsoftonline.us',
      'https://management.usgovcloudapi.net/.default',
    ],
    [
      'AzureChinaCloud',
      'https://management.chinacloudapi.cn',
      'https://login.chinacloudapi.cn',
      'https://management.chinacloudapi.cn/.default',
    ],
  ])('%s', (name, resourceManager, authorityHost, scope) => {
    expect(resolveCloud(name)).toEqual({ name, resourceManager, authorityHost, scope });
    expect(resolveCloud(name.toUpperCase())).toBe(KNOWN_CLOUDS[name as keyof typeof KNOWN_CLOUDS]);
  });

  it('defaults to AzureCloud', () => {
    expect(resolveCloud('')).toBe(KNOWN_CLOUDS.AzureCloud);
  });

  it('builds a Custom cloud from https URLs, keeping a path and dropping trailing slashes', () => {
    expect(
      resolveCloud(
        'Custom',
        'https://management.local.azurestack.external/',
        'https://adfs.local.azurestack.external/adfs/',
      ),
    ).toEqual({
      name: 'Custom',
      resourceManager: 'https://management.local.azurestack.external',
      authorityHost: 'https://adfs.local.azurestack.external/adfs',
      scope: 'https://management.local.azurestack.external/.default',
    });
  });

  it.each<[string, string, string, string[]]>([
    ['Custom', 'http://arm.example', 'https://login.example', ['arm-endpoint']],
    ['Custom', 'https://arm.example', 'not a url', ['authority-host']],
    ['Custom', '', '', ['arm-endpoint', 'authority-host']],
    ['AzureCloud', 'https://arm.example', 'https://login.example', ['arm-endpoint', 'authority-host']],
    ['AzureStack', '', '', ['cloud']],
  ])('rejects cloud %j with arm %j and authority %j', (name, arm, authority, inputs) => {
    let error: unknown;
    try {
      resolveCloud(name, arm, authority);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).issues.map((i) => i.input)).toEqual(inputs);
  });
});
