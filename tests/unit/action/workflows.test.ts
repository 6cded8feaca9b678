/**
 * The repository's own workflows (.github/workflows) and the examples users copy (docs/examples,
 * kept out of .github/workflows: they need secrets this repository does not have). Neither can run
 * here, so check what can go wrong silently: a `with:` key the Action does not have (the runner
 * only warns), an output name that does not exist (expands to ''), OIDC without `id-token: write`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..', '..');
const dirs = [join(root, '.github', 'workflows'), join(root, 'docs', 'examples')];
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { repository: { url: string } };
/** `owner/name` of this repository, as users write it in `uses:`. */
const slug = /github\.com\/([^/]+\/[^/.]+)/.exec(pkg.repository.url)?.[1] ?? '(none)';

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  concurrency?: unknown;
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
};
const workflows = dirs
  .flatMap((dir) => readdirSync(dir).map((f) => join(dir, f)))
  .filter((f) => /\.ya?ml$/.test(f))
  // Named with `/` on every OS, as the tests below spell them.
  .map((path) => ({
    file: path.slice(root.length + 1).replace(/\\/g, '/'),
    text: readFileSync(path, 'utf8'),
  }))
  .map(({ file, text }) => ({ file, text, workflow: parse(text) as Workflow }));

const actionSteps = workflows.flatMap(({ file, workflow }) =>
  Object.entries(workflow.jobs).flatMap(([jobName, job]) =>
    job.steps
      .filter((s) => s.uses === './' || s.uses?.startsWith(`${slug}@`))
      .map((step) => ({ file, jobName, job, workflow, step })),
  ),
);

describe('.github/workflows', () => {
  it('runs only CI and the self-test here; the examples, which need secrets, are in docs/examples', () => {
    expect(workflows.map((w) => w.file).sort()).toEqual([
      '.github/workflows/ci.yml',
      '.github/workflows/self-test.yml',
      'docs/examples/deploy-ssh.yml',
      'docs/examples/winrm.yml',
    ]);
    const self = actionSteps.filter((s) => s.file === '.github/workflows/self-test.yml');
    expect(self.length).toBeGreaterThan(0);
    expect(self.every((s) => s.step.uses === './')).toBe(true);
    // Users copy the examples as they are: they name the published Action, never `./`.
    const examples = actionSteps.filter((s) => s.file.startsWith('docs/examples/'));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.every((s) => s.step.uses === `${slug}@v1`)).toBe(true);
  });

  it('queues only the self-test job that opens access on the shared Azure VM, not the emulator job', () => {
    const self = workflows.find((w) => w.file === '.github/workflows/self-test.yml')?.workflow;
    expect(self).toBeDefined();
    expect((self as unknown as { concurrency?: unknown }).concurrency).toBeUndefined();
    const queued = Object.entries(self?.jobs ?? {})
      .filter(([, job]) => job.concurrency !== undefined)
      .map(([name]) => name);
    expect(queued).toEqual(['open-and-close']);
  });

  it('CI runs npm ci, npm test and a dist/ freshness check', () => {
    const ci = workflows.find((w) => w.file === '.github/workflows/ci.yml');
    const runs = Object.values(ci?.workflow.jobs ?? {}).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    expect(runs).toEqual(expect.arrayContaining(['npm ci', 'npm test', 'npm run build']));
    expect(runs.join('\n')).toContain('git status --porcelain -- dist/');
  });

  it.each(actionSteps.map((s) => [`${s.file} ${s.jobName}`, s] as const))(
    '%s passes only inputs the Action declares, and grants id-token: write for OIDC',
    (_name, { step, job, workflow }) => {
      const keys = Object.keys(step.with ?? {});
      expect(keys.filter((k) => !(k in action.inputs))).toEqual([]);
      expect(keys).toEqual(expect.arrayContaining(['vms', 'ports']));
      if (keys.includes('client-id') && !keys.includes('client-secret') && !keys.includes('creds')) {
        expect((job.permissions ?? workflow.permissions)?.['id-token']).toBe('write');
      }
    },
  );

  it('refers only to outputs the Action has', () => {
    const used = workflows.flatMap(({ text }) =>
      [...text.matchAll(/steps\.jit\.outputs\.([a-z-]+)/g)].map((m) => m[1]),
    );
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !(String(name) in action.outputs))).toEqual([]);
  });

  it('never interpolates step outputs straight into a script (passes them through env)', () => {
    for (const { workflow } of workflows) {
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps) expect(step.run ?? '').not.toMatch(/\$\{\{\s*steps\./);
      }
    }
  });
});
