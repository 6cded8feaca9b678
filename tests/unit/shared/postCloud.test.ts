/**
 * Post signs in where its inputs say, never where the saved state says: a state naming another
 * cloud is refused before `connect` is called at all.
 */
import { StateError } from '../../../shared/errors';
import { ADO, CLI, GITHUB } from '../../../shared/frontEnd';
import { cloudForPost } from '../../../shared/jit/postCloud';
import { runPost } from '../../../shared/run';
import type { CloudEndpoints, Connect } from '../../../shared/session';
import { FakePlatform } from '../../helpers/fakePlatform';

const EVIL: CloudEndpoints = {
  name: 'Custom',
  resourceManager: 'https://attacker.example',
  authorityHost: 'https://attacker.example',
  scope: 'https://attacker.example/.default',
};
const PUBLIC: CloudEndpoints = {
  name: 'AzureCloud',
  resourceManager: 'https://management.azure.com',
  authorityHost: 'https://login.microsoftonline.com',
  scope: 'https://management.azure.com/.default',
};

function state(cloud: CloudEndpoints): string {
  const start = new Date().toISOString();
  return JSON.stringify({
    version: 1,
    createdAt: start,
    cloud,
    subscriptionIds: ['sub'],
    closeOnPost: 'delete-rule',
    source: { kind: 'explicit', prefix: '203.0.113.10' },
    requests: [
      {
        policyId:
          '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/p',
        policyName: 'p',
        resourceGroup: 'rg',
        location: 'eastus',
        status: 'accepted',
        startTimeUtc: start,
        endTimeUtc: start,
        vms: [],
      },
    ],
  });
}

describe('cloudForPost', () => {
  const never: Connect = () => Promise.reject(new Error('connect must not be called'));

  it('takes the cloud from the inputs when the state agrees (case and trailing slash aside)', () => {
    const platform = new FakePlatform();
    const recorded = { ...PUBLIC, resourceManager: 'https://MANAGEMENT.azure.com/' };
    expect(cloudForPost(platform, never, recorded)).toEqual(PUBLIC);
  });

  it('refuses a state that names another cloud, naming both', () => {
    expect(() => cloudForPost(new FakePlatform(), never, EVIL)).toThrow(StateError);
    expect(() => cloudForPost(new FakePlatform(), never, EVIL)).toThrow(
      /names cloud Custom \(Resource Manager https:\/\/attacker\.example.*configured for AzureCloud/,
    );
  });

  it('says what to give this step as each front-end spells it (Azure DevOps: the service connection)', () => {
    const error = (() => {
      try {
        cloudForPost(new FakePlatform(), never, EVIL);
      } catch (e) {
        return e as StateError;
      }
      throw new Error('expected a StateError');
    })();
    expect(error.hintFor(GITHUB)).toContain('same cloud, arm-endpoint and authority-host');
    expect(error.hintFor(CLI)).toContain('same --cloud, --arm-endpoint and --authority-host');
    expect(error.hintFor(ADO)).toContain('same service connection');
    expect(error.hintFor(ADO)).not.toMatch(/same cloud|armEndpoint|arm-endpoint|authority/);
  });

  it("compares with the cloud the front-end will really use (Azure DevOps: the connection's)", () => {
    const connect: Connect = () => Promise.reject(new Error('connect must not be called'));
    const viaConnection = Object.assign(connect, { cloudFor: () => EVIL });
    expect(cloudForPost(new FakePlatform(), viaConnection, EVIL)).toEqual(PUBLIC);
  });
});

describe('runPost with a planted state', () => {
  it('fails before any sign-in', async () => {
    let connected = 0;
    const connect: Connect = () => {
      connected += 1;
      return Promise.reject(new Error('no'));
    };
    const platform = new FakePlatform({ state: { 'jit-state': state(EVIL) } });
    expect((await runPost({ platform, connect })).ok).toBe(false);
    expect(connected).toBe(0);
    expect(platform.failures.join('\n')).toContain('saved state names cloud Custom');
  });
});
