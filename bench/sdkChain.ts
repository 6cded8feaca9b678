// A yardstick, not a product path: the calls one CLI `request` (1 VM, 1 port) makes, in the same
// order and with the same overlap as bench/httpsChain.js, made through the Azure packages the
// design prescribes, as shared/azure wraps them: @azure/identity's ClientSecretCredential (MSAL),
// arm-security's JIT operations, the modular arm-compute and arm-network operations. No checks,
// no state, no output, none of our own code beyond those thin wrappers. bench/run.ts bundles it
// like dist/ (esbuild, minified, the same build plugins) into a temp folder and runs it with plain
// `node` (no compile cache), interleaved with P1: what it takes is the floor of any run that signs
// in and calls ARM through these packages, so it shows how much of P1 is ours and how much theirs.
//
// Usage: node sdkChain.js <vm resource ID> <ip echo URL>... with the environment bench/run.ts
// sets for the CLI (AZURE_AUTHORITY_HOST, JIT_ACCESS_ARM_ENDPOINT, AZURE_TENANT_ID, AZURE_CLIENT_ID,
// AZURE_CLIENT_SECRET, NODE_EXTRA_CA_CERTS).
import { request } from 'node:https';
import type { JitNetworkAccessPolicy } from '@azure/arm-security';
import { ClientSecretCredential } from '@azure/identity';
import { createComputeClient } from '../shared/azure/armCompute';
import { createNetworkClient } from '../shared/azure/armNetwork';
import { createSecurityClient } from '../shared/azure/armSecurity';

/** The last segment of a resource ID (the wrappers take names, as the SDKs do). */
const nameOf = (id: string | undefined): string => id?.split('/').pop() ?? '';
/** The segment after `type` in a resource ID. */
const after = (id: string | undefined, type: string): string => {
  const parts = id?.split('/') ?? [];
  return parts[parts.findIndex((p) => p.toLowerCase() === type.toLowerCase()) + 1] ?? '';
};

/** An IP echo answer, as httpsChain.js asks for it (the CLI's echo client is its own code). */
function echo(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text.trim()));
    })
      .on('error', reject)
      .end();
  });
}

async function main(): Promise<void> {
  const [vmId = '', ...ipUrls] = process.argv.slice(2);
  const env = process.env;
  const arm = env.JIT_ACCESS_ARM_ENDPOINT ?? '';
  const [, subscription = '', , group = ''] = vmId.split('/').slice(1);
  const credential = new ClientSecretCredential(
    env.AZURE_TENANT_ID ?? '',
    env.AZURE_CLIENT_ID ?? '',
    env.AZURE_CLIENT_SECRET ?? '',
    // A custom authority host, as the CLI's --cloud Custom signs in.
    { authorityHost: env.AZURE_AUTHORITY_HOST ?? '', disableInstanceDiscovery: true },
  );
  const scopes = [`${arm}/.default`];
  const security = createSecurityClient(credential, subscription, {
    endpoint: arm,
    credentialScopes: scopes,
  });
  const modular = { endpoint: arm, credentials: { scopes } };
  const network = createNetworkClient(credential, subscription, modular);
  const compute = createComputeClient(credential, subscription, modular);

  // The echo services are asked while signing in; the first ARM calls bring the token.
  const ips = Promise.all(ipUrls.map(echo));
  const listPolicies = async () => {
    const all: JitNetworkAccessPolicy[] = [];
    for await (const p of security.jitNetworkAccessPolicies.listByResourceGroupWithoutHistory(group))
      all.push(p);
    return all;
  };
  const [policies, vm] = await Promise.all([
    listPolicies(),
    compute.virtualMachines.get(group, nameOf(vmId)),
  ]);
  const nicId = vm.networkProfile?.networkInterfaces?.[0]?.id;
  const nic = await network.networkInterfaces.get(after(nicId, 'resourceGroups'), nameOf(nicId));
  const config = nic.ipConfigurations?.[0];
  const subnetId = config?.subnet?.id;
  const ipId = config?.publicIPAddress?.id;
  await Promise.all([
    network.subnets.get(
      after(subnetId, 'resourceGroups'),
      after(subnetId, 'virtualNetworks'),
      nameOf(subnetId),
    ),
    network.publicIPAddresses.get(after(ipId, 'resourceGroups'), nameOf(ipId)),
  ]);
  const nsgId = nic.networkSecurityGroup?.id;
  await network.networkSecurityGroups.get(after(nsgId, 'resourceGroups'), nameOf(nsgId));
  const [ip = ''] = await ips;
  const policy = policies.find((p) =>
    p.virtualMachines.some((v) => v.id.toLowerCase() === vmId.toLowerCase()),
  );
  const endTimeUtc = new Date(Date.now() + 10 * 60_000);
  await security.jitNetworkAccessPolicies.initiate(group, policy?.location ?? '', policy?.name ?? '', {
    virtualMachines: [{ id: vmId, ports: [{ number: 22, endTimeUtc, allowedSourceAddressPrefix: ip }] }],
  });
  await network.networkSecurityGroups.get(after(nsgId, 'resourceGroups'), nameOf(nsgId));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
