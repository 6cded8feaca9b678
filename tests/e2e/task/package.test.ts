/**
 * `npm run package:vsix` end to end: tfx-cli builds the .vsix offline from the
 * staged task folder; the package is unzipped and checked the way the agent and
 * the Marketplace would read it.
 */
import AdmZip from 'adm-zip';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const readJson = <T>(file: string): T => JSON.parse(readFileSync(join(root, file), 'utf8')) as T;

interface TaskJson {
  version: { Major: number; Minor: number; Patch: number };
  execution: Record<string, { target: string }>;
  postjobexecution: Record<string, { target: string }>;
}
interface ExtensionJson {
  id: string;
  publisher: string;
  version: string;
  contributions: { type: string; properties: { name: string } }[];
}

describe('npm run package:vsix', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'vsix-test-'));
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'package-vsix.mjs'), '--out-dir', outDir], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${run.stdout}${run.stderr}`;
  const extension = readJson<ExtensionJson>('vss-extension.json');
  const task = readJson<TaskJson>('task.json');
  const version = readJson<{ version: string }>('package.json').version;
  const folder =
    extension.contributions.find((c) => c.type === 'ms.vss-distributed-task.task')?.properties.name ?? '';
  const vsixPath = join(outDir, `${extension.publisher}.${extension.id}-${extension.version}.vsix`);

  it('succeeds and tfx prints no warnings', () => {
    expect({ status: run.status, output }).toMatchObject({ status: 0 });
    expect(output).toContain('=== Completed operation: create extension ===');
    expect(output.split('\n').filter((l) => /warn/i.test(l))).toEqual([]);
    expect(output).toContain(`package:vsix: ${vsixPath}`);
  });

  it('holds task.json inside the task folder, with every handler target next to it', () => {
    const zip = new AdmZip(vsixPath);
    const names = zip.getEntries().map((e) => e.entryName);
    expect(folder).toBe(`AzureJitAccessV${task.version.Major}`);
    expect(names).toContain(`${folder}/task.json`);
    expect(names).toContain(`${folder}/icon.png`);
    const packaged = JSON.parse(zip.readAsText(`${folder}/task.json`)) as TaskJson;
    expect(packaged).toEqual(task);
    const targets = new Set(
      [...Object.values(packaged.execution), ...Object.values(packaged.postjobexecution)].map(
        (h) => h.target,
      ),
    );
    expect(targets.size).toBe(2);
    for (const target of targets) {
      const entry = posix.join(folder, target);
      expect(names).toContain(entry);
      // The packaged bundle is the committed one, byte for byte.
      expect(zip.readFile(entry)?.equals(readFileSync(join(root, target)))).toBe(true);
    }
  });

  it('ships nothing but the manifests, the overview, the icons and the task folder', () => {
    const names = new AdmZip(vsixPath)
      .getEntries()
      .filter((e) => !e.isDirectory)
      .map((e) => e.entryName);
    const unexpected = names.filter(
      (n) =>
        ![
          '[Content_Types].xml',
          'extension.vsixmanifest',
          'extension.vsomanifest',
          'overview.md',
          'images/icon.png',
        ].includes(n) && !n.startsWith(`${folder}/`),
    );
    expect(unexpected).toEqual([]);
    expect(names.some((n) => n.endsWith('.ts') || n.includes('node_modules'))).toBe(false);
  });

  it('has one version everywhere: package.json, task.json, vss-extension.json and the VSIX manifest', () => {
    const { Major, Minor, Patch } = task.version;
    expect(`${Major}.${Minor}.${Patch}`).toBe(version);
    expect(extension.version).toBe(version);
    const manifest = new AdmZip(vsixPath).readAsText('extension.vsixmanifest');
    expect(manifest).toMatch(new RegExp(`<Identity[^>]*Version="${version.replace(/\./g, '\\.')}"`));
    expect(manifest).toMatch(new RegExp(`<Identity[^>]*Publisher="${extension.publisher}"`));
  });
});

describe('npm run package:vsix refuses a package the agent or the Marketplace would reject', () => {
  /** A copy of the packaging inputs in a temp folder, with task.json / package.json edited. */
  function sandbox(edit: {
    task?: (t: Record<string, unknown>) => void;
    version?: string;
    overview?: (text: string) => string;
  }): string {
    const dir = mkdtempSync(join(tmpdir(), 'vsix-sandbox-'));
    for (const file of [
      'task.json',
      'vss-extension.json',
      'overview.md',
      'images/icon.png',
      'scripts/package-vsix.mjs',
      'scripts/metadata.mjs',
    ]) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      cpSync(join(root, file), join(dir, file));
    }
    mkdirSync(join(dir, 'dist', 'task'), { recursive: true });
    for (const entry of ['main', 'post'])
      writeFileSync(join(dir, 'dist', 'task', `${entry}.js`), '// stub\n');
    // A junction on Windows, where a directory symlink needs a privilege (the type is ignored elsewhere).
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'junction');
    const task = readJson<Record<string, unknown>>('task.json');
    edit.task?.(task);
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    if (edit.overview) {
      writeFileSync(join(dir, 'overview.md'), edit.overview(readFileSync(join(dir, 'overview.md'), 'utf8')));
    }
    const pkg = readJson<Record<string, unknown>>('package.json');
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ ...pkg, version: edit.version ?? pkg.version }),
    );
    return dir;
  }
  const pack = (dir: string, ...flags: string[]) =>
    spawnSync(
      process.execPath,
      [join(dir, 'scripts', 'package-vsix.mjs'), '--out-dir', join(dir, 'out'), ...flags],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, AZURE_DEVOPS_PUBLISHER: '' },
      },
    );

  it('refuses a public build without a publisher, and builds one under the publisher given', () => {
    const dir = sandbox({});
    const refused = pack(dir, '--public');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('a public build needs the Marketplace publisher');
    const built = pack(dir, '--public', '--publisher', 'acme-tools');
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const extension = readJson<ExtensionJson>('vss-extension.json');
    const zip = new AdmZip(join(dir, 'out', `acme-tools.${extension.id}-${extension.version}.vsix`));
    const manifest = zip.readAsText('extension.vsixmanifest');
    expect(manifest).toMatch(/<Identity[^>]*Publisher="acme-tools"/);
    expect(manifest).toContain('<DisplayName>Azure JIT VM Access</DisplayName>');
    expect(manifest).toMatch(/<GalleryFlags>[^<]*Public/);
  });

  it('builds a private development package under a publisher that says so', () => {
    const dir = sandbox({});
    const built = pack(dir);
    expect(built.status).toBe(0);
    const extension = readJson<ExtensionJson>('vss-extension.json');
    const manifest = new AdmZip(
      join(dir, 'out', `azure-jit-access-dev.${extension.id}-${extension.version}.vsix`),
    ).readAsText('extension.vsixmanifest');
    expect(manifest).toContain('<DisplayName>Azure JIT VM Access (dev)</DisplayName>');
    expect(manifest).not.toMatch(/<GalleryFlags>[^<]*Public/);
  });

  it('refuses a package that still links to a placeholder repository', () => {
    const run = pack(
      sandbox({ overview: (t) => `${t}\nSee https://github.com/contoso/azure-jit-access for more.\n` }),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('out of step with package.json: overview.md');
  });

  it('fails when tfx warns (a friendlyName over 40 characters)', () => {
    const run = pack(sandbox({ task: (t) => (t.friendlyName = 'x'.repeat(41)) }));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/tfx printed \d+ warning/);
  });

  it('fails before packaging when the versions disagree', () => {
    const run = pack(sandbox({ version: '9.9.9' }));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('versions disagree: package.json 9.9.9');
  });

  it('fails when a handler target is missing', () => {
    const run = pack(
      sandbox({
        task: (t) =>
          ((t.execution as Record<string, { target: string }>).Node24 = { target: 'dist/task/gone.js' }),
      }),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('dist/task/gone.js');
  });
});
