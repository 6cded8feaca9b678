/**
 * The peer row's script: what a user writes without this tool, with the Azure CLI: sign in
 * (`az login`, a fresh login or an existing one), `az rest` the JIT initiate, then poll the
 * VM's NSG with `az rest` until the allow rule for the runner's IP is live. Run only when `az`
 * is installed; the custom cloud points it at the emulator, REQUESTS_CA_BUNDLE trusts its CA.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function whichAz(): string | undefined {
  try {
    return execFileSync('which', ['az'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const SCRIPT = `#!/usr/bin/env bash
# usage: peer.sh login-and-open | open      (env: ARM SUB AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET IP_ECHO)
set -euo pipefail
if [ "$1" = login-and-open ]; then
  # As for Azure Stack: the CLI reads the endpoints from <arm>/metadata/endpoints (an AD FS authority).
  az cloud register --name JitBench --endpoint-resource-manager "$ARM/" --profile 2020-09-01-hybrid >/dev/null
  az cloud set --name JitBench >/dev/null
  az login --service-principal --username "$AZURE_CLIENT_ID" --password "$AZURE_CLIENT_SECRET" \\
    --tenant "$AZURE_TENANT_ID" --allow-no-subscriptions >/dev/null
fi
ip=$(curl -sf --cacert "$REQUESTS_CA_BUNDLE" "$IP_ECHO")
end=$(date -u -d '+10 minutes' +%Y-%m-%dT%H:%M:%SZ)
vm="/subscriptions/$SUB/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01"
policy="/subscriptions/$SUB/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit"
az rest --method post --url "$ARM$policy/initiate?api-version=2020-01-01" --body \\
  "{\\"virtualMachines\\":[{\\"id\\":\\"$vm\\",\\"ports\\":[{\\"number\\":22,\\"endTimeUtc\\":\\"$end\\",\\"allowedSourceAddressPrefix\\":\\"$ip\\"}]}]}" >/dev/null
nsg="/subscriptions/$SUB/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg"
query="length(properties.securityRules[?properties.sourceAddressPrefix=='$ip' && properties.access=='Allow' && properties.provisioningState=='Succeeded'])"
until [ "$(az rest --method get --url "$ARM$nsg?api-version=2024-05-01" --query "$query" -o tsv)" != 0 ]; do sleep 1; done
`;

/** Writes the script into `dir` and returns its path. */
export function peerScript(dir: string): string {
  const path = join(dir, 'peer.sh');
  writeFileSync(path, SCRIPT, { mode: 0o755 });
  return path;
}
