// A yardstick, not a product path: the calls one CLI `request` (1 VM, 1 port) makes, in the same
// order and with the same overlap as bench/httpsChain.js, made through the Azure packages the
// design prescribes, as shared/azure wraps them: @azure/identity's ClientSecretCredential (MSAL),
// arm-security's JIT operations, the modular arm-compute and arm-network operations. No checks,
// no state, no output, none of our own code beyond those thin wrappers. bench/run.ts bundles it
// like dist/ (esbuild, minified, the same build plugins) into a temp folder and runs it interleaved
// with P1, with plain `node` (no compile cache) and through bench/sdkChainCached.ts (a warm one): what it takes is the floor of any run that signs
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
import { requireResourceId, sameResourceId } from '../shared/azure/resourceId';

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
  const { subscriptionId: subscription, resourceGroup: group, name: vmName } = requireResourceId(vmId, 'VM');
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
  const [policies, vm] = await Promise.all([listPolicies(), compute.virtualMachines.get(group, vmName)]);
  const nicId = requireResourceId(vm.networkProfile?.networkInterfaces?.[0]?.id ?? '', 'NIC');
  const nic = await network.networkInterfaces.get(nicId.resourceGroup, nicId.name);
  const config = nic.ipConfigurations?.[0];
  const subnetId = requireResourceId(config?.subnet?.id ?? '', 'subnet');
  const ipId = requireResourceId(config?.publicIPAddress?.id ?? '', 'public IP');
  await Promise.all([
    network.subnets.get(subnetId.resourceGroup, subnetId.segments[0]?.[1] ?? '', subnetId.name),
    network.publicIPAddresses.get(ipId.resourceGroup, ipId.name),
  ]);
  const nsgId = requireResourceId(nic.networkSecurityGroup?.id ?? '', 'NSG');
  await network.networkSecurityGroups.get(nsgId.resourceGroup, nsgId.name);
  const [ip = ''] = await ips;
  const policy = policies.find((p) => p.virtualMachines.some((v) => sameResourceId(v.id, vmId)));
  const endTimeUtc = new Date(Date.now() + 10 * 60_000);
  await security.jitNetworkAccessPolicies.initiate(group, policy?.location ?? '', policy?.name ?? '', {
    virtualMachines: [{ id: vmId, ports: [{ number: 22, endTimeUtc, allowedSourceAddressPrefix: ip }] }],
  });
  await network.networkSecurityGroups.get(nsgId.resourceGroup, nsgId.name);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
