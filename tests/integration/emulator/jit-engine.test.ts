/**
 * The JIT engine on the virtual clock: rule delay with Updating then Succeeded,
 * expiry at endTimeUtc, supersession (our documented assumption), and another
 * principal's concurrent requests.
 */
import { startEmulator, type Emulator } from '../../../emulator';
import { PROD, clientsFor, credentialFor, vmId, type Clients } from './clients';

let emu: Emulator;
let c: Clients;

beforeEach(async () => {
  emu = await startEmulator();
  c = clientsFor(emu, credentialFor(emu), PROD, { maxRetries: 0 });
  emu.control.clock.freeze(); // only advance() moves virtual time: exact boundaries
});
afterEach(() => emu.stop());

const at = (minutes: number): Date => new Date(emu.control.clock.now().getTime() + minutes * 60_000);
const allowIn = (nsg: string) => emu.control.rules(nsg).filter((r) => r.jit === 'allow');
const portStatus = (policy: string) =>
  emu.control
    .jitRequests(policy)
    .map((r) =>
      r.request.virtualMachines
        .flatMap((v) => v.ports.map((p) => `${p.number}:${p.status}/${p.statusReason}`))
        .join(','),
    );

function open(vm: string, ports: { number: number; minutes: number }[]) {
  return c.security.jitNetworkAccessPolicies.initiate('rg-web', 'eastus', 'web-jit', {
    virtualMachines: [
      { id: vmId('rg-web', vm), ports: ports.map((p) => ({ number: p.number, endTimeUtc: at(p.minutes) })) },
    ],
  });
}

test('the allow rule appears after the delay, Updating first, then Succeeded', async () => {
  emu.control.setRuleDelay(4000);
  await open('web-01', [{ number: 22, minutes: 60 }]);
  expect(allowIn('web-01-nsg')).toEqual([]);
  emu.control.clock.advance(3999);
  expect(allowIn('web-01-nsg')).toEqual([]);
  emu.control.clock.advance(1);
  expect(allowIn('web-01-nsg').map((r) => r.provisioningState)).toEqual(['Updating']);
  const viaSdk = await c.network.networkSecurityGroups.get('rg-web', 'web-01-nsg');
  expect(
    viaSdk.securityRules?.find((r) => r.access === 'Allow' && r.name?.startsWith('SecurityCenter-JITRule-'))
      ?.provisioningState,
  ).toBe('Updating');
  emu.control.clock.advance(1000);
  expect(allowIn('web-01-nsg').map((r) => r.provisioningState)).toEqual(['Succeeded']);
});

test('jitter keeps the rule within delay..delay+jitter', async () => {
  emu.control.setRuleDelay(1000, 500);
  await open('web-01', [{ number: 22, minutes: 60 }]);
  emu.control.clock.advance(999);
  expect(allowIn('web-01-nsg')).toEqual([]);
  emu.control.clock.advance(501);
  expect(allowIn('web-01-nsg')).toHaveLength(1);
});

test('at endTimeUtc the rule goes and the port becomes Revoked/Expired', async () => {
  await open('win-01', [
    { number: 3389, minutes: 30 },
    { number: 5986, minutes: 60 },
  ]);
  expect(allowIn('win-01-nsg').map((r) => r.properties.destinationPortRange)).toEqual(['3389', '5986']);
  expect(portStatus('web-jit')).toEqual(['3389:Initiated/UserRequested,5986:Initiated/UserRequested']);
  emu.control.clock.advance(30 * 60_000);
  expect(allowIn('win-01-nsg').map((r) => r.properties.destinationPortRange)).toEqual(['5986']);
  expect(portStatus('web-jit')).toEqual(['3389:Revoked/Expired,5986:Initiated/UserRequested']);
  emu.control.clock.advance(30 * 60_000);
  expect(allowIn('win-01-nsg')).toEqual([]);
  const policy = await c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit');
  expect(policy.requests?.[0]?.virtualMachines[0]?.ports.map((p) => [p.status, p.statusReason])).toEqual([
    ['Revoked', 'Expired'],
    ['Revoked', 'Expired'],
  ]);
  // The deny rule written when the policy was configured stays.
  expect(emu.control.rules('win-01-nsg').map((r) => r.jit)).toEqual(['deny']);
});

test('a newer request for the same VM and port supersedes the older one and replaces its rule', async () => {
  await open('web-01', [{ number: 22, minutes: 60 }]);
  const [first] = allowIn('web-01-nsg');
  emu.control.setEgressIp('198.51.100.9');
  await open('web-01', [{ number: 22, minutes: 120 }]);
  expect(portStatus('web-jit')).toEqual(['22:Revoked/NewerRequestInitiated', '22:Initiated/UserRequested']);
  const rules = allowIn('web-01-nsg');
  expect(rules).toHaveLength(1);
  expect(rules[0]?.name).not.toBe(first?.name);
  expect(rules[0]?.properties.sourceAddressPrefix).toBe('198.51.100.9');
  expect(rules[0]?.properties.priority).toBe(100); // the freed slot is reused
  // The older request's endTimeUtc passing must not touch the newer rule.
  emu.control.clock.advance(60 * 60_000);
  expect(allowIn('web-01-nsg')).toHaveLength(1);
  expect(portStatus('web-jit')).toEqual(['22:Revoked/NewerRequestInitiated', '22:Initiated/UserRequested']);
  emu.control.clock.advance(60 * 60_000);
  expect(allowIn('web-01-nsg')).toEqual([]);
});

test('a request superseded before its delay ran out never writes a rule', async () => {
  emu.control.setRuleDelay(1000);
  await open('web-01', [{ number: 22, minutes: 60 }]);
  await open('web-01', [{ number: 22, minutes: 60 }]);
  emu.control.clock.advance(1000);
  expect(allowIn('web-01-nsg')).toHaveLength(1);
});

test('initiateAs: another principal opens the same VM concurrently, with its own egress IP', async () => {
  emu.control.setEgressIp('198.51.100.50', 'jit-cert');
  const [mine, theirs] = await Promise.all([
    open('web-02', [{ number: 22, minutes: 60 }]),
    emu.control.initiateAs('jit-cert', {
      resourceGroup: 'rg-web',
      location: 'eastus',
      policy: 'web-jit',
      body: {
        virtualMachines: [
          { id: vmId('rg-web', 'win-01'), ports: [{ number: 3389, endTimeUtc: at(30).toISOString() }] },
        ],
      },
    }),
  ]);
  expect(mine.virtualMachines[0]?.ports[0]?.status).toBe('Initiating');
  expect(theirs.status).toBe(202);
  expect(allowIn('win-01-nsg')[0]?.properties.sourceAddressPrefix).toBe('198.51.100.50');
  expect(allowIn('snet-web2-nsg')[0]?.properties.destinationAddressPrefix).toBe('10.1.2.4');
  const principals = emu.control
    .requests()
    .filter((r) => r.path.endsWith('/initiate'))
    .map((r) => r.principal)
    .sort();
  expect(principals).toEqual(['jit-cert', 'jit-deployer']);
  expect(
    emu.control
      .jitRequests('web-jit')
      .map((r) => r.principal)
      .sort(),
  ).toEqual(['jit-cert', 'jit-deployer']);
  const denied = await emu.control.initiateAs('jit-readonly', {
    resourceGroup: 'rg-web',
    location: 'eastus',
    policy: 'web-jit',
    body: {
      virtualMachines: [
        { id: vmId('rg-web', 'web-01'), ports: [{ number: 22, endTimeUtc: at(30).toISOString() }] },
      ],
    },
  });
  expect(denied.status).toBe(403);
});

test('removeRule and updatePolicy let tests reshape the tenant', async () => {
  await open('web-01', [{ number: 22, minutes: 60 }]);
  const [rule] = allowIn('web-01-nsg');
  expect(emu.control.removeRule('web-01-nsg', rule?.name ?? '')).toBe(true);
  expect(allowIn('web-01-nsg')).toEqual([]);
  expect(emu.control.removeRule('web-01-nsg', 'nope')).toBe(false);
  emu.control.updatePolicy('web-jit', {
    virtualMachines: [
      {
        id: vmId('rg-web', 'legacy-01'),
        ports: [
          { number: 22, protocol: 'TCP', allowedSourceAddressPrefix: '*', maxRequestAccessDuration: 'PT1H' },
        ],
      },
    ],
  });
  const policy = await c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit');
  expect(policy.virtualMachines.map((v) => v.id)).toEqual([vmId('rg-web', 'legacy-01')]);
  expect(emu.control.rules('legacy-01-nsg').map((r) => r.jit)).toEqual(['deny']);
  expect(() => emu.control.updatePolicy('nope', { virtualMachines: [] })).toThrow(
    /No single JIT policy named 'nope'/,
  );
});
