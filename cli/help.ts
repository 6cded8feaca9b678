/** `--help` texts, built from the same flag tables the parser uses. */
import { COMMAND_NAMES, COMMANDS, type CommandName } from './args';
import { EXIT_CODE_TABLE } from './exitCodes';

function wrap(text: string, width: number, indent: string): string {
  const words = text.replace(/`/g, '').split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

const EXIT_CODES = EXIT_CODE_TABLE.map(
  ([code, text]) => `  ${String(code).padStart(3)}  ${text.replace(/`/g, '')}`,
).join('\n');

const AUTH = [
  'Sign-in (first that works): AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET or',
  'AZURE_CLIENT_CERTIFICATE_PATH; AZURE_FEDERATED_TOKEN_FILE (workload identity); `az login`;',
  'a managed identity. Extra CA for a proxy or private cloud: NODE_EXTRA_CA_CERTS or --ca-file.',
].join('\n');

export function rootHelp(version: string): string {
  const commands = COMMAND_NAMES.map(
    (c) => `  ${c.padEnd(9)} ${wrap(COMMANDS[c].summary, 88, ' '.repeat(12))}`,
  ).join('\n');
  return [
    `azure-jit-access ${version}: Microsoft Defender for Cloud just-in-time VM access from a shell or any CI.`,
    '',
    'Usage: azure-jit-access <command> [flags]',
    '',
    'Commands:',
    commands,
    '',
    "Run 'azure-jit-access <command> --help' for its flags.",
    '',
    'Example:',
    '  azure-jit-access request --vms web-01 --resource-group rg-web --ports 22 --duration 15',
    '  ssh azureuser@<host from the output>',
    '  azure-jit-access close',
    '',
    AUTH,
    '',
    'Exit codes:',
    EXIT_CODES,
  ].join('\n');
}

export function commandHelp(command: CommandName): string {
  const spec = COMMANDS[command];
  const flags = Object.entries(spec.flags).map(([name, f]) => {
    const value = f.valueName ? (f.bare !== undefined ? ` [<${f.valueName}>]` : ` <${f.valueName}>`) : '';
    const head = `  --${name}${value}${f.multiple ? ' ...' : ''}`;
    const pad = head.length < 34 ? head.padEnd(34) : `${head}\n${' '.repeat(34)}`;
    return `${pad}${wrap(f.description, 76, ' '.repeat(34))}`;
  });
  return [
    `azure-jit-access ${command}: ${spec.summary}`,
    '',
    `Usage: ${spec.usage}`,
    '',
    'Flags:',
    ...flags,
    '',
    AUTH,
    '',
    'Exit codes:',
    EXIT_CODES,
  ].join('\n');
}
