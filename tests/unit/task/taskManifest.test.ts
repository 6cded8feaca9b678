import { ADO, describeInput } from '../../../shared/frontEnd';
/**
 * task.json and vss-extension.json against the official schema, the core's input
 * and output tables, the task's message table and each other. The schema is a
 * copy of azure-pipelines-task-lib's tasks.schema.json (tests/fixtures), so the
 * test needs nothing outside the repository.
 */
import Ajv from 'ajv-draft-04';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INPUTS, INPUT_NAMES } from '../../../shared/inputs/table';
import { OUTPUTS } from '../../../shared/outputs';
import { MESSAGES } from '../../../task/messages';

const root = join(__dirname, '..', '..', '..');
const readJson = <T>(file: string): T => JSON.parse(readFileSync(join(root, file), 'utf8')) as T;

/** The parts of the manifests the tests read; the schema test checks the whole of task.json. */
type Handlers = Record<string, { target: string }>;
interface TaskJson {
  [key: string]: unknown;
  id: string;
  name: string;
  category: string;
  friendlyName: string;
  description: string;
  author: string;
  helpUrl: string;
  instanceNameFormat: string;
  minimumAgentVersion: string;
  version: { Major: number; Minor: number; Patch: number };
  inputs: TaskInput[];
  groups: { name: string; displayName: string }[];
  outputVariables: { name: string; description?: string }[];
  messages: Record<string, string>;
  execution: Handlers;
  postjobexecution: Handlers;
}
interface ExtensionJson {
  [key: string]: unknown;
  version: string;
  categories: string[];
  targets: { id: string }[];
  content: { details: { path: string } };
  icons: { default: string };
  files: { path: string }[];
  contributions: { type: string; targets: string[]; properties: { name: string } }[];
}

const task = readJson<TaskJson>('task.json');
const extension = readJson<ExtensionJson>('vss-extension.json');
const pkg = readJson<{ version: string }>('package.json');

/** The schema's patterns are plain ECMAScript (`\:` is not a valid escape under the `u` flag). */
const compileSchema = () =>
  new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }).compile(
    readJson<object>('tests/fixtures/azure-devops/tasks.schema.json'),
  );

interface TaskInput {
  name: string;
  label: string;
  type: string;
  defaultValue?: string;
  required?: boolean;
  helpMarkDown?: string;
  groupName?: string;
  visibleRule?: string;
  options?: Record<string, string>;
}
const inputs = task.inputs;

describe('task.json', () => {
  it('validates against the official tasks.schema.json', () => {
    const validate = compileSchema();
    const ok = validate(task);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema copy matches the official one when it is at hand (../shared beside the clone)', () => {
    const official = join(root, '..', 'shared', 'azure-devops', 'tasks.schema.json');
    if (!existsSync(official)) return;
    expect(readJson<object>('tests/fixtures/azure-devops/tasks.schema.json')).toEqual(
      JSON.parse(readFileSync(official, 'utf8')),
    );
  });

  it('the schema copy is strict enough to reject a broken task.json', () => {
    const validate = compileSchema();
    const broken = {
      ...task,
      execution: { Node99: { target: 'x.js' } },
      outputVariables: [{ name: 'expires-at' }],
    };
    expect(validate(broken)).toBe(false);
  });

  it('has the fields tfx-cli and the Marketplace check', () => {
    expect(task.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(task.name).toBe('AzureJitAccess');
    expect(task.category).toBe('Deploy');
    expect(task.friendlyName.length).toBeGreaterThan(0);
    expect(task.friendlyName.length).toBeLessThanOrEqual(40);
    expect(task.description).toBeTruthy();
    expect(task.author).toBeTruthy();
    expect(task.helpUrl).toMatch(/^https:\/\//);
    // $(name) in the instance name must be inputs, or the step shows the raw text.
    const referenced = [...String(task.instanceNameFormat).matchAll(/\$\((\w+)\)/g)].map((m) => m[1]);
    expect(referenced.length).toBeGreaterThan(0);
    for (const name of referenced) expect(inputs.map((i) => i.name)).toContain(name);
  });

  it('versions agree across package.json, task.json and vss-extension.json', () => {
    const { Major, Minor, Patch } = task.version;
    expect(`${Major}.${Minor}.${Patch}`).toBe(pkg.version);
    expect(extension.version).toBe(pkg.version);
  });

  it('runs main and post on Node20_1 and Node24, each pair on one bundle that exists', () => {
    for (const stage of ['execution', 'postjobexecution'] as const) {
      expect(Object.keys(task[stage]).sort()).toEqual(['Node20_1', 'Node24']);
      const targets = new Set(Object.values(task[stage]).map((h) => h.target));
      expect(targets.size).toBe(1);
      const [target] = [...targets] as string[];
      expect(target).toMatch(/^dist\/task\/(main|post)\.js$/);
      expect(existsSync(join(root, target as string))).toBe(true);
    }
    expect(task.execution.Node24?.target).not.toBe(task.postjobexecution.Node24?.target);
  });

  it('asks for an agent that has the Node20_1 handler (Node24 is picked where the agent has it)', () => {
    const [major, minor, patch] = String(task.minimumAgentVersion).split('.').map(Number);
    const asNumber = (major ?? 0) * 1e6 + (minor ?? 0) * 1e3 + (patch ?? 0);
    expect(asNumber).toBeGreaterThanOrEqual(3 * 1e6 + 232 * 1e3 + 1);
  });

  it('starts with the azureSubscription ARM connection, then every core input in table order', () => {
    expect(inputs[0]).toMatchObject({
      name: 'azureSubscription',
      type: 'connectedService:AzureRM',
      required: true,
    });
    // Inputs Azure DevOps ignores (the service connection decides the cloud) are not shown.
    expect(inputs.slice(1).map((i) => i.name)).toEqual(
      INPUT_NAMES.filter((n) => ADO.uses(n)).map((n) => INPUTS[n].ado),
    );
  });

  it.each(INPUT_NAMES.filter((n) => ADO.uses(n)))('input %s agrees with shared/inputs/table.ts', (name) => {
    const spec = INPUTS[name];
    const input = inputs.find((i) => i.name === spec.ado);
    expect(input).toBeDefined();
    if (!input) return;
    expect(input.type).toBe(spec.kind);
    expect(input.required).toBe(spec.required);
    expect(input.defaultValue ?? '').toBe(spec.default);
    expect(input.label).toBeTruthy();
    expect(input.helpMarkDown?.startsWith(describeInput(name, ADO))).toBe(true);
    expect(input.groupName === 'advanced').toBe(spec.advanced);
    if ('options' in spec) expect(Object.keys(input.options ?? {})).toEqual(spec.options);
    else expect(input.options).toBeUndefined();
  });

  it('every groupName is a declared group, and the Advanced group exists', () => {
    const groups = task.groups.map((g) => g.name);
    expect(groups).toContain('advanced');
    for (const input of inputs) if (input.groupName) expect(groups).toContain(input.groupName);
  });

  it('visible rules name existing inputs and, for pick lists, existing options', () => {
    const rules = inputs.filter((i) => i.visibleRule);
    expect(rules.map((i) => i.name)).toEqual(expect.arrayContaining(['allowAnySource']));
    for (const input of rules) {
      const [, other, value] = /^(\w+)\s*=\s*(.+)$/.exec(input.visibleRule ?? '') ?? [];
      expect(other).toBeDefined();
      const target = inputs.find((i) => i.name === other);
      expect(target).toBeDefined();
      if (target?.options) expect(Object.keys(target.options)).toContain(value?.trim());
    }
  });

  it('declares every core output as an output variable', () => {
    expect(task.outputVariables).toEqual(
      Object.values(OUTPUTS).map((o) => ({ name: o.ado, description: o.description })),
    );
  });

  it('holds the same messages as task/messages.ts (tl.loc reads them from task.json)', () => {
    expect(task.messages).toEqual(MESSAGES);
    // util.format placeholders only: tl.loc formats with util.format.
    for (const text of Object.values(MESSAGES)) expect(text).not.toMatch(/\{\d\}/);
  });
});

describe('vss-extension.json', () => {
  it('has what tfx and the Marketplace require', () => {
    for (const key of ['manifestVersion', 'id', 'name', 'version', 'publisher', 'description']) {
      expect(extension[key]).toBeTruthy();
    }
    expect(extension.categories).toEqual(['Azure Pipelines']);
    expect(extension.targets).toEqual([{ id: 'Microsoft.VisualStudio.Services' }]);
    expect(existsSync(join(root, extension.content.details.path))).toBe(true);
  });

  it('contributes one task whose folder is the one packaged', () => {
    const tasks = extension.contributions.filter((c) => c.type === 'ms.vss-distributed-task.task');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.targets).toEqual(['ms.vss-distributed-task.tasks']);
    expect(extension.files).toEqual([{ path: tasks[0]?.properties.name }]);
  });

  it('has a 128x128 PNG icon that is not blank', () => {
    const png = readFileSync(join(root, extension.icons.default));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
    // A blank 128x128 image deflates to a few hundred bytes; a drawn one does not.
    expect(png.length).toBeGreaterThan(1000);
  });
});
