/**
 * A `Connect` for the in-process emulator: a real ClientSecretCredential doing
 * the real OAuth flow against the emulator's Entra ID, trusting its CA through
 * `tlsOptions` (NODE_EXTRA_CA_CERTS is read only at process start).
 */
import { ClientSecretCredential } from '@azure/identity';
import type { AzureSession, CloudEndpoints, Connect } from '../../shared/session';

/** The part of the emulator handle this helper needs (structural: no import of emulator internals). */
export interface EmulatorEndpoints {
  readonly armUrl: string;
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly caPem: string;
  readonly principals: Readonly<Record<string, { readonly clientId: string; readonly secret?: string }>>;
}

/** Contoso Production in the default scenario. */
export const PRODUCTION_SUBSCRIPTION = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
export const DATA_SUBSCRIPTION = 'b2c3d4e5-2222-4b6c-9d0e-1f2a3b4c5d6e';

export function emulatorCloud(emu: EmulatorEndpoints): CloudEndpoints {
  return {
    name: 'Custom',
    resourceManager: emu.armUrl,
    authorityHost: emu.authorityHost,
    scope: `${emu.armUrl}/.default`,
  };
}

export function emulatorConnect(emu: EmulatorEndpoints, principalName = 'jit-deployer'): Connect {
  const principal = emu.principals[principalName];
  if (!principal?.secret) throw new Error(`emulator principal '${principalName}' has no client secret`);
  const credential = new ClientSecretCredential(emu.tenantId, principal.clientId, principal.secret, {
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: emu.caPem },
  });
  return (): Promise<AzureSession> =>
    Promise.resolve({
      credential,
      subscriptionId: PRODUCTION_SUBSCRIPTION,
      cloud: emulatorCloud(emu),
      method: `client secret (emulator principal ${principalName})`,
    });
}
