/**
 * What the Azure CLI / Python fidelity runs revealed, pinned without those clients
 * (so it stays tested on machines without them): paths with doubled slashes, the
 * subscription metadata generic ARM tooling reads (provider registrations, regions), and
 * the VM instance view `az vm show -d` / `az vm get-instance-view` need.
 */
import { startEmulator, type Emulator } from '../../../emulator';
import { armToken, raw, PROD } from '../emulator/clients';

let emu: Emulator;
let token: string;

beforeAll(async () => {
  emu = await startEmulator();
  token = await armToken(emu);
});
afterAll(() => emu.stop());

test('a doubled slash (`az cloud register --endpoint-resource-manager <arm>/`) reaches the same resource', async () => {
  const meta = await raw(emu, 'GET', `${emu.armUrl}//metadata/endpoints?api-version=2015-01-01`);
  expect(meta.status).toBe(200);
  expect(meta.json()).toMatchObject({ authentication: { loginEndpoint: `${emu.authorityHost}/adfs` } });
  const rg = await raw(
    emu,
    'GET',
    `${emu.armUrl}//subscriptions/${PROD}//resourceGroups/rg-web?api-version=2021-04-01`,
    {
      token,
    },
  );
  expect(rg.status).toBe(200);
  expect(rg.json()).toMatchObject({ name: 'rg-web' });
});

test('provider registration lists each served resource type with the api-versions its routes accept', async () => {
  const res = await raw(
    emu,
    'GET',
    `/subscriptions/${PROD}/providers/microsoft.network?api-version=2019-10-01`,
    {
      token,
    },
  );
  expect(res.status).toBe(200);
  const body = res.json() as {
    id: string;
    namespace: string;
    registrationState: string;
    resourceTypes: { resourceType: string; apiVersions: string[]; locations: string[] }[];
  };
  expect(body).toMatchObject({
    id: `/subscriptions/${PROD}/providers/Microsoft.Network`,
    namespace: 'Microsoft.Network',
    registrationState: 'Registered',
  });
  const rules = body.resourceTypes.find((t) => t.resourceType === 'networkSecurityGroups/securityRules');
  expect(rules?.apiVersions).toContain('2024-05-01');
  // Newest first, as ARM lists them (clients pick the first non-preview one).
  expect(rules?.apiVersions).toEqual([...(rules?.apiVersions ?? [])].sort().reverse());
  expect(rules?.locations).toContain('East US');
  // Every listed version really is accepted.
  const newest = rules?.apiVersions[0] ?? '';
  const rule = await raw(
    emu,
    'GET',
    `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg/securityRules/AllowHttpsInbound?api-version=${newest}`,
    { token },
  );
  expect(rule.status).toBe(200);

  const all = await raw(emu, 'GET', `/subscriptions/${PROD}/providers?api-version=2021-04-01`, { token });
  expect((all.json() as { value: { namespace: string }[] }).value.map((p) => p.namespace).sort()).toEqual([
    'Microsoft.Compute',
    'Microsoft.Network',
    'Microsoft.Resources',
    'Microsoft.Security',
  ]);

  const unknown = await raw(
    emu,
    'GET',
    `/subscriptions/${PROD}/providers/Microsoft.Nope?api-version=2021-04-01`,
    {
      token,
    },
  );
  expect(unknown.status).toBe(404);
  expect(unknown.json()).toEqual({
    error: {
      code: 'InvalidResourceNamespace',
      message: "The resource namespace 'Microsoft.Nope' is invalid.",
    },
  });
});

test('subscription locations: Azure region names, display names and pairs; scenario regions included', async () => {
  const res = await raw(emu, 'GET', `/subscriptions/${PROD}/locations?api-version=2022-12-01`, { token });
  expect(res.status).toBe(200);
  const regions = (res.json() as { value: Record<string, unknown>[] }).value;
  expect(regions).toContainEqual({
    id: `/subscriptions/${PROD}/locations/westeurope`,
    name: 'westeurope',
    type: 'Region',
    displayName: 'West Europe',
    regionalDisplayName: '(Europe) West Europe',
    metadata: {
      regionType: 'Physical',
      regionCategory: 'Recommended',
      geographyGroup: 'Europe',
      physicalLocation: 'Netherlands',
      pairedRegion: [{ name: 'northeurope', id: `/subscriptions/${PROD}/locations/northeurope` }],
    },
  });
  const names = regions.map((r) => r.name);
  expect(new Set(names).size).toBe(names.length);
});

test('a principal without any role in the subscription is refused its metadata (403 AuthorizationFailed)', async () => {
  const scenario = structuredClone(emu.scenario);
  const readonly = scenario.principals.find((p) => p.name === 'jit-readonly');
  if (!readonly) throw new Error('default scenario lost jit-readonly');
  readonly.roleAssignments = [
    { scope: `/subscriptions/${scenario.subscriptions[1]?.id ?? ''}`, actions: ['*/read'] },
  ];
  const other = await startEmulator({ scenario });
  try {
    const t = await armToken(other, 'jit-readonly');
    const res = await raw(other, 'GET', `/subscriptions/${PROD}/locations?api-version=2022-12-01`, {
      token: t,
    });
    expect(res.status).toBe(403);
    expect((res.json() as { error: { code: string } }).error.code).toBe('AuthorizationFailed');
  } finally {
    await other.stop();
  }
});

test('VM instance view: $expand=instanceView (any VM reader) and the /instanceView resource (its own action)', async () => {
  const vmPath = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01`;
  const plain = await raw(emu, 'GET', `${vmPath}?api-version=2024-07-01`, { token });
  expect((plain.json() as { properties: Record<string, unknown> }).properties.instanceView).toBeUndefined();

  const expanded = await raw(emu, 'GET', `${vmPath}?api-version=2020-06-01&$expand=instanceView`, { token });
  expect(expanded.status).toBe(200);
  const view = (
    expanded.json() as { properties: { instanceView: { computerName: string; statuses: unknown[] } } }
  ).properties.instanceView;
  expect(view.computerName).toBe('web-01');
  expect(view.statuses).toEqual([
    expect.objectContaining({ code: 'ProvisioningState/succeeded', displayStatus: 'Provisioning succeeded' }),
    { code: 'PowerState/running', level: 'Info', displayStatus: 'VM running' },
  ]);

  // jit-deployer holds virtualMachines/read only: the separate resource needs instanceView/read.
  const denied = await raw(emu, 'GET', `${vmPath}/instanceView?api-version=2024-07-01`, { token });
  expect(denied.status).toBe(403);
  expect(JSON.stringify(denied.json())).toContain('Microsoft.Compute/virtualMachines/instanceView/read');
  const reader = await armToken(emu, 'jit-readonly');
  const direct = await raw(emu, 'GET', `${vmPath}/instanceView?api-version=2024-07-01`, { token: reader });
  expect(direct.status).toBe(200);
  expect(direct.json()).toEqual(expect.objectContaining({ statuses: view.statuses }));
});
