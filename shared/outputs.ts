/**
 * Step outputs. GitHub uses the kebab-case key; task.json declares the camelCase
 * `ado` name as an output variable. Tests keep action.yml and task.json in step.
 */
export const OUTPUTS = {
  ip: { ado: 'ip', description: 'Source address the JIT request allowed (IP or CIDR).' },
  'expires-at': { ado: 'expiresAt', description: 'When access closes by itself (ISO 8601, UTC).' },
  targets: {
    ado: 'targets',
    description:
      'JSON array, one entry per VM: { vm, id, host, port(s), privateIp, mappedPort?, ruleNames, nsgIds }.',
  },
  host: {
    ado: 'host',
    description: 'Host to connect to for the first VM (public IP, FQDN, firewall IP or private IP).',
  },
  port: {
    ado: 'port',
    description:
      'Port to connect to for the first VM and first port (the firewall mapped port when there is one).',
  },
  'subscription-id': {
    ado: 'subscriptionId',
    description:
      'Subscription the run used for VMs given by name (empty when every VM is a resource ID in more than one subscription).',
  },
  'client-id': {
    ado: 'clientId',
    description: 'Application (client) ID of the identity that signed in, from its access token.',
  },
  'principal-id': {
    ado: 'principalId',
    description:
      'Object (principal) ID of the identity that signed in, from its access token: the ID role assignments name.',
  },
} as const;

export type OutputName = keyof typeof OUTPUTS;
