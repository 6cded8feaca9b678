/**
 * `npm run emulator -- [--scenario file.json] [--port N] [--rule-delay-ms N] [--log] [behaviour flags]`:
 * starts the emulator and prints what a client needs, then serves until Ctrl-C.
 */
import { BEHAVIOUR_SWITCHES } from './behaviour';
import { startEmulator, type EmulatorOptions } from './index';

const USAGE = [
  'usage: npm run emulator -- [--scenario file.json] [--port N] [--rule-delay-ms N] [--rule-delay-jitter-ms N] [--log]',
  '                           [--supersede V] [--rule-layout V] [--source-form V] [--echo V] [--start-time V] [--nsg-writes V]',
  '',
  'Behaviour switches (what real Azure leaves unknown; the first value is the default):',
  ...BEHAVIOUR_SWITCHES.map((s) => `  ${`${s.flag} ${s.values.join('|')}`.padEnd(40)} ${s.help}`),
].join('\n');

function parseArgs(argv: string[]): EmulatorOptions {
  const opts: EmulatorOptions = { port: 8443, ruleDelayMs: 3000 };
  const number = (flag: string, value: string | undefined, max: number): number => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < 0 || n > max) {
      throw new Error(`${flag} needs an integer between 0 and ${max}, got '${value ?? ''}'.\n${USAGE}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] as string;
    const value = argv[i + 1];
    switch (flag) {
      case '--scenario':
        if (!value) throw new Error(`--scenario needs a file path.\n${USAGE}`);
        opts.scenario = value;
        i += 1;
        break;
      case '--port':
        opts.port = number(flag, value, 65535);
        i += 1;
        break;
      case '--rule-delay-ms':
        opts.ruleDelayMs = number(flag, value, 600_000);
        i += 1;
        break;
      case '--rule-delay-jitter-ms':
        opts.ruleDelayJitterMs = number(flag, value, 600_000);
        i += 1;
        break;
      case '--log':
        opts.log = true;
        break;
      case '--supersede':
      case '--rule-layout':
      case '--source-form':
      case '--echo':
      case '--start-time':
      case '--nsg-writes': {
        const sw = BEHAVIOUR_SWITCHES.find((s) => s.flag === flag);
        if (!sw || value === undefined || !sw.values.includes(value)) {
          throw new Error(
            `${flag} needs one of ${sw?.values.join(', ') ?? ''}, got '${value ?? ''}'.\n${USAGE}`,
          );
        }
        opts.behaviour = { ...opts.behaviour, [sw.field]: value };
        i += 1;
        break;
      }
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`Unknown argument '${flag}'.\n${USAGE}`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  const emu = await startEmulator(parseArgs(process.argv.slice(2)));
  const [first] = Object.entries(emu.principals).filter(([, p]) => p.secret);
  const sub = emu.scenario.subscriptions[0];
  // A VM of the scenario with a JIT policy, for the example command.
  const example = (sub?.resourceGroups ?? [])
    .flatMap((rg) =>
      (rg.jitPolicies ?? []).flatMap((p) =>
        p.virtualMachines.map((v) => ({ rg: rg.name, vm: v.vm, port: v.ports[0]?.number })),
      ),
    )
    .find((e) => !e.vm.startsWith('/') && e.port !== undefined);
  const lines = [
    'Azure emulator is running (Ctrl-C to stop).',
    '',
    `ARM URL          ${emu.armUrl}`,
    `Authority host   ${emu.authorityHost}`,
    `Tenant           ${emu.tenantId}`,
    ...(first
      ? [`Client id        ${first[1].clientId}  (${first[0]})`, `Client secret    ${first[1].secret ?? ''}`]
      : []),
    `CA certificate   ${emu.caPath}`,
    `IP echo          ${emu.ipEchoUrls.join('  ')}`,
    `Behaviour        ${BEHAVIOUR_SWITCHES.map((s) => `${s.flag.slice(2)}=${emu.behaviour[s.field]}`).join(' ')}`,
    '',
    'Principals:',
    ...Object.entries(emu.principals).map(
      ([name, p]) =>
        `  ${name.padEnd(14)} client ${p.clientId}${p.secret ? `  secret ${p.secret}` : ''}${p.certificatePem ? '  (certificate)' : ''}`,
    ),
    '',
    'Example environment (bash):',
    `  export NODE_EXTRA_CA_CERTS=${emu.caPath}`,
    `  export REQUESTS_CA_BUNDLE=${emu.caPath}   # Azure CLI / Python`,
    `  export AZURE_TENANT_ID=${emu.tenantId}`,
    ...(first
      ? [
          `  export AZURE_CLIENT_ID=${first[1].clientId}`,
          `  export AZURE_CLIENT_SECRET=${first[1].secret ?? ''}`,
        ]
      : []),
    `  export AZURE_AUTHORITY_HOST=${emu.authorityHost}`,
    ...(sub ? [`  export AZURE_SUBSCRIPTION_ID=${sub.id}`] : []),
    // The CLI of this repository (dist/cli/main.js) reads these two for its cloud, as it reads
    // AZURE_AUTHORITY_HOST above; so do our other tools.
    `  export JIT_ACCESS_CLOUD=Custom`,
    `  export JIT_ACCESS_ARM_ENDPOINT=${emu.armUrl}`,
    '',
    ...(example
      ? [
          'Then, with the environment above (the IP echo services stand in for the public ones):',
          `  node dist/cli/main.js request --vms ${example.vm} --resource-group ${example.rg} --ports ${example.port} --ip-providers ${emu.ipEchoUrls.join(',')}`,
          '  node dist/cli/main.js close',
          '',
        ]
      : []),
    'Azure CLI (see emulator/README.md; the hybrid profile works around Debian packaging gaps):',
    `  export REQUESTS_CA_BUNDLE=${emu.caPath} AZURE_CONFIG_DIR=$(mktemp -d)`,
    `  az cloud register -n JitEmulator --endpoint-resource-manager ${emu.armUrl}/ --profile 2020-09-01-hybrid`,
    '  az cloud set -n JitEmulator',
    ...(first
      ? [
          `  az login --service-principal -u ${first[1].clientId} -p ${first[1].secret ?? ''} --tenant ${emu.tenantId}`,
        ]
      : []),
  ];
  console.log(lines.join('\n'));
  const stop = (): void => {
    void emu.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Keep the process alive: the server's sockets are ref'd, the clock timer is not.
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
