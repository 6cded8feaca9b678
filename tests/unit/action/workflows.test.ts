/**
 * The workflows under .github/workflows are documentation users copy. They cannot run here, so
 * check what can go wrong silently: a `with:` key the Action does not have (the runner only
 * warns), an output name that does not exist (expands to ''), OIDC without `id-token: write`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..', '..');
const dir = join(root, '.github', 'workflows');

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
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
const workflows = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }))
  .map(({ file, text }) => ({ file, text, workflow: parse(text) as Workflow }));

const actionSteps = workflows.flatMap(({ file, workflow }) =>
  Object.entries(workflow.jobs).flatMap(([jobName, job]) =>
    job.steps.filter((s) => s.uses === './').map((step) => ({ file, jobName, job, workflow, step })),
  ),
);

describe('.github/workflows', () => {
  it('has CI, a self-test and the examples, and the self-test uses this repository', () => {
    expect(workflows.map((w) => w.file).sort()).toEqual(
      expect.arrayContaining(['ci.yml', 'example-deploy-ssh.yml', 'example-winrm.yml', 'self-test.yml']),
    );
    expect(actionSteps.filter((s) => s.file === 'self-test.yml').length).toBeGreaterThan(0);
  });

  it('CI runs npm ci, npm test and a dist/ freshness check', () => {
    const ci = workflows.find((w) => w.file === 'ci.yml');
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
