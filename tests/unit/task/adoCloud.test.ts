import { cloudFromConnection, isPublicAuthority } from '../../../task/adoCloud';

const env = (over: Partial<Parameters<typeof cloudFromConnection>[0]>) => ({
  environment: '',
  url: '',
  activeDirectoryAuthority: '',
  resourceId: '',
  ...over,
});

describe('cloudFromConnection', () => {
  it('takes the URL and authority the agent passes, without trailing slashes', () => {
    expect(
      cloudFromConnection(
        env({
          environment: 'AzureUSGovernment',
          url: 'https://management.usgovcloudapi.net/',
          activeDirectoryAuthority: 'https://login.microsoftonline.us/',
        }),
      ),
    ).toEqual({
      name: 'AzureUSGovernment',
      resourceManager: 'https://management.usgovcloudapi.net',
      authorityHost: 'https://login.microsoftonline.us',
      scope: 'https://management.usgovcloudapi.net/.default',
    });
  });

  it.each([
    ['AzureCloud', 'https://management.azure.com', 'https://login.microsoftonline.com'],
    ['azurechinacloud', 'https://management.chinacloudapi.cn', 'https://login.chinacloudapi.cn'],
    ['', 'https://management.azure.com', 'https://login.microsoftonline.com'],
  ])('fills a known environment %j from the table when the data is missing', (name, rm, authority) => {
    const cloud = cloudFromConnection(env({ environment: name }));
    expect(cloud?.resourceManager).toBe(rm);
    expect(cloud?.authorityHost).toBe(authority);
    expect(cloud?.scope).toBe(`${rm}/.default`);
  });

  it('uses an Azure Stack connection as given, with its own token audience', () => {
    const cloud = cloudFromConnection(
      env({
        environment: 'AzureStack',
        url: 'https://management.local.azurestack.external/',
        activeDirectoryAuthority: 'https://login.microsoftonline.com/',
        resourceId: 'https://management.contoso.onmicrosoft.com/1234',
      }),
    );
    expect(cloud).toEqual({
      name: 'AzureStack',
      resourceManager: 'https://management.local.azurestack.external',
      authorityHost: 'https://login.microsoftonline.com',
      scope: 'https://management.contoso.onmicrosoft.com/1234/.default',
    });
  });

  it('returns undefined for a custom environment without URL or authority', () => {
    expect(cloudFromConnection(env({ environment: 'AzureStack' }))).toBeUndefined();
    expect(
      cloudFromConnection(env({ environment: 'AzureStack', url: 'https://arm.local/' })),
    ).toBeUndefined();
  });
});

describe('isPublicAuthority', () => {
  it.each([
    ['https://login.microsoftonline.com', true],
    ['https://LOGIN.microsoftonline.us/', true],
    ['https://login.chinacloudapi.cn', true],
    ['https://localhost:8443', false],
    ['https://adfs.local.azurestack.external/adfs', false],
    ['not a url', false],
  ])('%s -> %s', (host, expected) => {
    expect(isPublicAuthority(host)).toBe(expected);
  });
});
