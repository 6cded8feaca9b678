/**
 * `npm run screenshots`: renders the run summaries as GitHub shows them and
 * saves PNGs in docs/ for reviewers. The Markdown comes from the product's own
 * renderer (shared/summaryMarkdown.ts) fed with the sample summaries of the
 * tests; `marked` (GFM) turns it into HTML with GitHub-like CSS; headless
 * Chromium takes the picture. Not part of `npm test`: it needs Chromium
 * (`apt-get install chromium`, or set CHROMIUM to its path).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { marked } from 'marked';
import { GITHUB } from '../shared/frontEnd';
import { parseRawInputs, type RawInputs } from '../shared/inputs/parse';
import { INPUT_NAMES, INPUTS } from '../shared/inputs/table';
import { problemsOf } from '../shared/problems';
import type { Summary, SummaryProblem } from '../shared/summary';
import { summaryMarkdown } from '../shared/summaryMarkdown';
import { SAMPLE_MAIN, SAMPLE_POST } from '../tests/helpers/sampleSummaries';

const CSS = `
body { margin: 0; background: #fff; color: #1f2328;
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
.box { margin: 16px; padding: 16px 24px; border: 1px solid #d1d9e0; border-radius: 6px; }
.caption { color: #59636e; font-size: 12px; margin: 16px 16px 0; }
h3 { font-size: 1.25em; margin: 8px 0 16px; font-weight: 600; }
table { border-collapse: collapse; margin: 0 0 16px; display: block; width: max-content; max-width: 100%; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; text-align: left; vertical-align: top; }
th { font-weight: 600; } tr:nth-child(2n) { background: #f6f8fa; }
code { font: 85% ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, monospace;
  background: rgba(129,139,152,0.12); padding: .2em .4em; border-radius: 6px; }
a { color: #0969da; text-decoration: none; }
details { margin: 0 0 16px; } summary { cursor: pointer; }
ul { padding-left: 2em; margin: 0 0 16px; }
p { margin: 0 0 16px; }
`;

function page(caption: string, markdown: string): string {
  const body = marked.parse(markdown, { gfm: true, async: false });
  return `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style></head><body>
<div class="caption">${caption}</div><div class="box">${body}</div></body></html>`;
}

function chromium(): string {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) throw new Error('Chromium not found: install it (apt-get install chromium) or set CHROMIUM.');
  return found;
}

function screenshot(html: string, png: string, height: number, details: boolean): void {
  const dir = mkdtempSync(join(tmpdir(), 'jit-screenshot-'));
  try {
    // Open <details> so the picture shows what a click reveals.
    const file = join(dir, 'summary.html');
    writeFileSync(file, details ? html.replace(/<details>/g, '<details open>') : html);
    execFileSync(
      chromium(),
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--hide-scrollbars',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--window-size=1180,${height}`,
        `--screenshot=${png}`,
        `file://${file}`,
      ],
      { stdio: 'ignore', timeout: 60_000 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The problems the product itself reports for a few typical mistakes. */
function invalidInputs(): SummaryProblem[] {
  const raw = Object.fromEntries(INPUT_NAMES.map((n) => [n, INPUTS[n].default])) as RawInputs;
  try {
    parseRawInputs(
      {
        ...raw,
        vms: 'web-01',
        'resource-group': 'rg-web',
        ports: '22-24',
        source: '*',
        'wait-timeout': 'soon',
      },
      GITHUB,
    );
  } catch (e) {
    return problemsOf(e, GITHUB);
  }
  throw new Error('the invalid inputs were accepted');
}

const SHOTS: readonly { file: string; caption: string; summary: Summary; height: number }[] = [
  {
    file: 'summary-main.png',
    caption: 'Job summary of the main step (GitHub; the Azure Pipelines summary tab shows the same Markdown)',
    summary: SAMPLE_MAIN,
    height: 370,
  },
  {
    file: 'summary-post.png',
    caption: 'Job summary of the post-job step',
    summary: SAMPLE_POST,
    height: 560,
  },
  {
    file: 'summary-invalid.png',
    caption: 'Job summary when validation fails (nothing was requested)',
    summary: {
      kind: 'main',
      outcome: 'failed',
      at: SAMPLE_MAIN.at,
      rows: [],
      problems: invalidInputs(),
    },
    height: 380,
  },
];

// npm runs scripts from the repository root.
for (const shot of SHOTS) {
  const png = resolve('docs', shot.file);
  screenshot(page(shot.caption, summaryMarkdown(shot.summary)), png, shot.height, true);
  process.stdout.write(`wrote ${png}\n`);
}
