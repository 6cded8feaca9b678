/**
 * JSON schema of a scenario file, so a typo in a hand-written scenario fails at
 * start with the JSON path of the bad value instead of as a confusing 404 later.
 */
const str = { type: 'string', minLength: 1 } as const;
const strArray = { type: 'array', items: str } as const;
const guid = { type: 'string', pattern: '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$' } as const;

const port = {
  type: 'object',
  additionalProperties: false,
  required: ['number', 'protocol', 'maxRequestAccessDuration'],
  properties: {
    number: { type: 'integer', minimum: 0, maximum: 65535 },
    protocol: { enum: ['TCP', 'UDP', '*'] },
    allowedSourceAddressPrefix: str,
    allowedSourceAddressPrefixes: strArray,
    maxRequestAccessDuration: { type: 'string', pattern: '^P' },
  },
} as const;

const rule = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'protocol', 'access', 'direction', 'priority'],
  properties: {
    name: str,
    protocol: str,
    access: { enum: ['Allow', 'Deny'] },
    direction: { enum: ['Inbound', 'Outbound'] },
    priority: { type: 'integer', minimum: 100, maximum: 4096 },
    sourceAddressPrefix: str,
    sourcePortRange: str,
    destinationAddressPrefix: str,
    destinationPortRange: str,
    destinationPortRanges: strArray,
    description: { type: 'string', maxLength: 140 },
  },
} as const;

const resourceGroup = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'location'],
  properties: {
    name: { type: 'string', pattern: '^[-\\w\\._\\(\\)]{1,90}$' },
    location: { type: 'string', pattern: '^[a-z0-9]+$' },
    virtualNetworks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'addressPrefixes', 'subnets'],
        properties: {
          name: str,
          location: str,
          addressPrefixes: strArray,
          subnets: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'addressPrefix'],
              properties: { name: str, addressPrefix: str, networkSecurityGroup: str },
            },
          },
        },
      },
    },
    networkSecurityGroups: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: str, location: str, securityRules: { type: 'array', items: rule } },
      },
    },
    virtualMachines: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'networkInterfaces'],
        properties: {
          name: str,
          location: str,
          osType: { enum: ['Linux', 'Windows'] },
          size: str,
          networkInterfaces: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'privateIp', 'subnet'],
              properties: {
                name: str,
                privateIp: str,
                subnet: str,
                networkSecurityGroup: str,
                publicIp: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['name', 'ipAddress'],
                  properties: { name: str, ipAddress: str, domainNameLabel: str, fqdn: str },
                },
              },
            },
          },
        },
      },
    },
    jitPolicies: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'location', 'virtualMachines'],
        properties: {
          name: str,
          location: { type: 'string', pattern: '^[a-z0-9]+$' },
          kind: str,
          virtualMachines: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['vm', 'ports'],
              properties: {
                vm: str,
                ports: { type: 'array', minItems: 1, items: port },
                publicIpAddress: str,
                mappedPorts: { type: 'object', additionalProperties: { type: 'integer' } },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const scenarioSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tenantId', 'egressIp', 'oidc', 'principals', 'subscriptions'],
  properties: {
    $schema: { type: 'string' },
    description: { type: 'string' },
    tenantId: guid,
    egressIp: str,
    principalEgressIps: { type: 'object', additionalProperties: str },
    oidc: {
      type: 'object',
      additionalProperties: false,
      required: ['adoOrganizationId', 'adoServiceConnections', 'githubSubject'],
      properties: {
        adoOrganizationId: str,
        githubSubject: str,
        adoServiceConnections: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'subject'],
            properties: { id: str, subject: str },
          },
        },
      },
    },
    principals: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'type', 'clientId', 'objectId', 'roleAssignments'],
        properties: {
          name: str,
          type: { enum: ['ServicePrincipal', 'ManagedIdentity'] },
          clientId: guid,
          objectId: guid,
          secret: str,
          certificate: { type: 'boolean' },
          federatedCredentials: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['issuer', 'subject'],
              properties: { issuer: str, subject: str, audiences: strArray },
            },
          },
          roleAssignments: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['scope', 'actions'],
              properties: {
                scope: { type: 'string', pattern: '^/' },
                actions: strArray,
                notActions: strArray,
              },
            },
          },
        },
      },
    },
    subscriptions: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'displayName', 'resourceGroups'],
        properties: { id: guid, displayName: str, resourceGroups: { type: 'array', items: resourceGroup } },
      },
    },
  },
} as const;
