import type { AuthInputs } from '../../../action/authInputs';
import { planAuth } from '../../../action/authPlan';

const base: AuthInputs = {
  authType: 'SERVICE_PRINCIPAL',
  audience: 'api://AzureADTokenExchange',
  unknownCredsKeys: [],
};
const ids = { clientId: 'c', tenantId: 't' };
const withIdToken = { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/x' };

describe('planAuth', () => {
  it('uses OIDC when client-id and tenant-id are set and the job can request an ID token', () => {
    expect(planAuth({ ...base, ...ids }, withIdToken)).toEqual({
      kind: 'oidc',
      clientId: 'c',
      tenantId: 't',
      audience: 'api://AzureADTokenExchange',
    });
  });

  it('uses a given client secret even when an ID token is available (the user asked for it)', () => {
    const plan = planAuth({ ...base, ...ids, clientSecret: { value: 's', origin: 'creds' } }, withIdToken);
    expect(plan).toMatchObject({ kind: 'secret', secret: 's', origin: 'creds' });
  });

  it('falls back to the Azure CLI and explains that id-token: write is missing', () => {
    const plan = planAuth({ ...base, ...ids }, {});
    expect(plan.kind).toBe('cli');
    expect(plan.kind === 'cli' && plan.skipped.join('\n')).toContain('id-token: write');
    expect(plan).toMatchObject({ tenantId: 't' });
  });

  it('falls back to the Azure CLI when nothing is configured, noting each skipped method', () => {
    const plan = planAuth(base, withIdToken);
    expect(plan).toMatchObject({ kind: 'cli' });
    expect(plan.kind === 'cli' && plan.skipped).toEqual([
      expect.stringContaining('OIDC: not configured'),
      expect.stringContaining('Client secret: not configured'),
    ]);
  });

  it('auth-type IDENTITY: the managed identity, whatever else is set (user-assigned with client-id)', () => {
    const identity = { ...base, authType: 'IDENTITY' as const };
    expect(planAuth(identity, withIdToken)).toEqual({ kind: 'identity' });
    expect(planAuth({ ...identity, ...ids }, withIdToken)).toEqual({ kind: 'identity', clientId: 'c' });
  });
});
