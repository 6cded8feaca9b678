// Source edits esbuild applies to a few dependency files while bundling, each
// removing start-up work that our runs never need (measured with
// `node --cpu-prof dist/cli/main.js request ...`). Each edit names the exact
// text it replaces: the build fails if a dependency changes shape, rather than
// silently doing the work again.
//
// - `typeof FormData`: Node defines FormData (with Headers, Request, Response)
//   as a lazy global that loads Node's internal undici on first touch, 15-19 ms
//   on Node 20 and 24. @typespec/ts-http-runtime asks `typeof FormData` of
//   every request body (the token request included, before the first byte is
//   sent); we never send FormData. The edit first asks the body's own tag
//   (`[object FormData]`), which touches no global, so a real FormData body is
//   still recognised exactly as before.
// - jsonwebtoken: @azure/msal-node loads it (with semver and lodash helpers)
//   at start-up, though only a certificate credential's client assertion
//   signs with it. The edit loads it on that first `jwt.sign`, from a file of
//   its own beside each bundle (`jwt.js`, built by JWT_ENTRIES): 63 KB that
//   the other runs no longer read or compile.
// - undici: @actions/http-client, which the GitHub OIDC client (dist/action/
//   oidc.js) sends its request with, loads undici (0.43 MB) at start-up, though
//   it needs it only to build a ProxyAgent for `getAgentDispatcher`, which the
//   OIDC client never calls: it sends through Node's https. The edit loads it on
//   that first use, from `undici.js` beside oidc.js: a run that signs in with
//   OIDC reads and compiles 0.05 MB instead of 0.49 MB. Its `tunnel` (proxied
//   requests only, and it loads Node's assert) is likewise loaded on first use.
// - proxy agents: @typespec/ts-http-runtime loads https-proxy-agent and
//   http-proxy-agent (with agent-base, debug, supports-color) at start-up for
//   its proxy policy; the edits load them when a proxy agent is first made.
// - @azure/arm-security's models: only those the JIT operations reach stay in
//   the bundles (see `securityJitOnly` below), 110 KB less to parse.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const FORM_DATA_CHECK = 'typeof FormData !== "undefined" && body instanceof FormData';
const FORM_DATA_CHECK_LAZY =
  'Object.prototype.toString.call(body) === "[object FormData]" && ' + FORM_DATA_CHECK;

const HTTP_CLIENT = /[\\/]@actions[\\/]http-client[\\/]lib[\\/]index\.js$/;
const CLIENT_ASSERTION = /[\\/]@azure[\\/]msal-node[\\/]dist[\\/]client[\\/]ClientAssertion\.mjs$/;

/** Where a package resolves `dependency` from (the copy its edit defers). */
const resolvedFrom = (pkg, dependency) =>
  createRequire(createRequire(import.meta.url).resolve(pkg)).resolve(dependency);

/**
 * The files the edits below defer, each required as `./<file>` by the module `importer` matches,
 * and built (DEFERRED_ENTRIES) beside every bundle that carries that module.
 */
const DEFERRED = [
  {
    file: 'undici.js',
    importer: HTTP_CLIENT,
    source: resolvedFrom('@actions/http-client', 'undici'),
    beside: ['action'],
  },
  {
    file: 'jwt.js',
    importer: CLIENT_ASSERTION,
    source: resolvedFrom('@azure/msal-node', 'jsonwebtoken'),
    beside: ['action', 'task', 'cli'],
  },
];

/** esbuild entry points of the deferred files: `<front-end>/<name>` → the package's entry. */
export const DEFERRED_ENTRIES = Object.fromEntries(
  DEFERRED.flatMap(({ file, source, beside }) =>
    beside.map((frontEnd) => [`${frontEnd}/${file.replace(/\.js$/, '')}`, source]),
  ),
);

const PATCHES = [
  {
    file: /[\\/]@typespec[\\/]ts-http-runtime[\\/]dist[\\/]esm[\\/](formData|client[\\/]sendRequest)\.js$/,
    edits: [[FORM_DATA_CHECK, FORM_DATA_CHECK_LAZY]],
  },
  {
    file: /[\\/]@typespec[\\/]ts-http-runtime[\\/]dist[\\/]esm[\\/]policies[\\/]proxyPolicy\.js$/,
    edits: [
      ['import { HttpsProxyAgent } from "https-proxy-agent";\n', ''],
      ['import { HttpProxyAgent } from "http-proxy-agent";\n', ''],
      ['new HttpProxyAgent(', 'new (require("http-proxy-agent").HttpProxyAgent)('],
      ['new HttpsProxyAgent(', 'new (require("https-proxy-agent").HttpsProxyAgent)('],
    ],
  },
  {
    // `import util from "node:util"` copies util's exports into a namespace object at start-up
    // (esbuild's __toESM); on Node 24 that also loads util's lazily loaded parts, among them
    // worker_threads, util.diff and parseArgs's internals: ~4 ms of every start. The logger
    // only calls `format`.
    file: /[\\/]@typespec[\\/]ts-http-runtime[\\/]dist[\\/]esm[\\/]logger[\\/]log\.js$/,
    edits: [
      ['import util from "node:util";', 'import { format } from "node:util";'],
      ['${util.format(message, ...args)}', '${format(message, ...args)}'],
    ],
  },
  {
    // The global `crypto` is Web Crypto, which Node loads on first touch (0.6-0.8 ms); node:crypto,
    // already loaded for TLS, makes the same RFC 4122 v4 UUIDs.
    file: /[\\/]@typespec[\\/]ts-http-runtime[\\/]dist[\\/]esm[\\/]util[\\/]uuidUtils\.js$/,
    edits: [
      [
        'export function randomUUID() {',
        'import { randomUUID as nodeRandomUUID } from "node:crypto";\nexport function randomUUID() {',
      ],
      ['return crypto.randomUUID();', 'return nodeRandomUUID();'],
    ],
  },
  {
    file: HTTP_CLIENT,
    edits: [
      // tunnel (and with it Node's assert, 1-2 ms) serves only proxied requests.
      [
        'const tunnel = __importStar(require("tunnel"));',
        'let tunnel_loaded;\n' +
          'const tunnel = Object.fromEntries(["httpsOverHttps", "httpsOverHttp", "httpOverHttps", "httpOverHttp"].map((k) => ' +
          '[k, (...args) => (tunnel_loaded ??= __importStar(require("tunnel")))[k](...args)]));',
      ],
      [
        'const undici_1 = require("undici");',
        'let undici_loaded;\n' +
          'const undici_1 = { get ProxyAgent() { return (undici_loaded ??= require("./undici.js")).ProxyAgent; } };',
      ],
    ],
  },
  {
    file: CLIENT_ASSERTION,
    edits: [
      [
        "import jwt from 'jsonwebtoken';",
        // Left to Node (see `external` below): read from jwt.js beside the bundle on first use.
        'let jwtLoaded;\nconst jwt = { sign: (...args) => (jwtLoaded ??= require("./jwt.js")).sign(...args) };',
      ],
    ],
  },
  ...lazyBuiltins(),
  ...lazyTaskLib(),
];

/**
 * `<declaration> <binding> = { get <key>() {...}, ... }`: the module is required on the first read
 * of any of `keys` (a function to call, a class to `new`, or a value), not where it was imported.
 */
function lazyModule(declaration, binding, module, keys) {
  const properties = keys.map(
    (k) => `get ${k}() { return (${binding}Loaded ??= require("${module}")).${k}; }`,
  );
  return `let ${binding}Loaded;\n${declaration} ${binding} = { ${properties.join(', ')} };`;
}

/**
 * Node built-ins some credentials and the HTTP client import at start-up but use only on a path
 * our runs seldom take: child_process (the Azure CLI and azd credentials run a process; it also
 * loads dgram), fs/promises (a certificate or token file is read; it also loads readline), zlib
 * (a compressed response is inflated). Each loads them on its first call instead: 5-10 ms of
 * every start on Node 20 and 24.
 */
function lazyBuiltins() {
  const lazy = (binding, module, fns) => lazyModule('const', binding, module, fns);
  const identity = (file) =>
    new RegExp(`[\\\\/]@azure[\\\\/]identity[\\\\/]dist[\\\\/]esm[\\\\/]${file}\\.js$`);
  const readFileFrom = (file) => ({
    file: identity(file),
    edits: [
      [
        'import { readFile } from "node:fs/promises";',
        'const readFile = (...args) => require("node:fs/promises").readFile(...args);',
      ],
    ],
  });
  return [
    {
      file: identity('util[\\\\/]processUtils'),
      edits: [
        [
          'import childProcess from "node:child_process";',
          lazy('childProcess', 'node:child_process', ['execFile']),
        ],
      ],
    },
    ...['azureCliCredential', 'azureDeveloperCliCredential'].map((c) => ({
      file: identity(`credentials[\\\\/]${c}`),
      edits: [
        ['import child_process from "child_process";', lazy('child_process', 'node:child_process', ['exec'])],
      ],
    })),
    ...[
      'clientCertificateCredential',
      'workloadIdentityCredential',
      'visualStudioCodeCredential',
      'onBehalfOfCredential',
    ].map((c) => readFileFrom(`credentials[\\\\/]${c}`)),
    {
      file: /[\\/]@typespec[\\/]ts-http-runtime[\\/]dist[\\/]esm[\\/]nodeHttpClient\.js$/,
      edits: [
        ['import zlib from "node:zlib";', lazy('zlib', 'node:zlib', ['createGunzip', 'createInflate'])],
      ],
    },
  ];
}

/**
 * azure-pipelines-task-lib's task.js and internal.js load, at start-up, modules that serve only
 * functions the task never calls: toolrunner (with q, child_process and events) for `tool`/`exec`,
 * externaloutput for filtering a child's output, minimatch for `find`/`match`, semver for
 * `assertAgent`, child_process for `rmRF` on Windows. Each is loaded on the first read of one of its
 * properties instead (getters, so `new minimatch.Minimatch(...)` and `exports.ToolRunner` work as
 * before). Both files also compare `process.versions.node` with 4.2.0 at start-up, which loaded
 * semver: no Node that old parses this bundle, so the check is dropped.
 */
function lazyTaskLib() {
  const lazy = (binding, module, keys) => [
    `var ${binding} = require("${module}");`,
    lazyModule('var', binding, module, keys),
  ];
  const exported = (name, binding) => [
    `exports.${name} = ${binding}.${name};`,
    `Object.defineProperty(exports, "${name}", { enumerable: true, get: () => ${binding}.${name} });`,
  ];
  const nodeCheck = [
    "if (semver.lt(process.versions.node, '4.2.0')) {",
    'if (false /* Node < 4.2 cannot parse this bundle */) {',
  ];
  const taskLib = (file) => new RegExp(`[\\\\/]azure-pipelines-task-lib[\\\\/]${file}\\.js$`);
  const outputFilters = ['create', 'write', 'debug', 'warning', 'error'].map((f) =>
    f === 'create' ? 'createExternalOutputStream' : `${f}ExternalOutput`,
  );
  return [
    {
      file: taskLib('task'),
      edits: [
        lazy('childProcess', 'child_process', ['execFileSync']),
        lazy('minimatch', 'minimatch', ['braceExpand', 'filter', 'match']),
        lazy('trm', './toolrunner', ['ToolRunner']),
        lazy('eom', './externaloutput', [...outputFilters, 'defaultAllowedVsoCommands']),
        lazy('semver', 'semver', ['lt']),
        exported('ToolRunner', 'trm'),
        exported('defaultAllowedVsoCommands', 'eom'),
        nodeCheck,
      ],
    },
    {
      file: taskLib('internal'),
      edits: [lazy('minimatch', 'minimatch', ['Minimatch']), lazy('semver', 'semver', ['lt']), nodeCheck],
    },
  ];
}

/**
 * @azure/arm-security's models/mappers.js holds all 269 models of the provider (115 KB, parsed at
 * every start); the JIT operations hand them all to their serializer (`import * as Mappers`), and
 * the bundler cannot drop the rest because most are built by `Object.assign` calls. The
 * serializer needs only the models the JIT operations reach: those they name, those their
 * parameters name, and every model those name by `className` or extend. The edits keep exactly
 * that closure in mappers.js (the other exports become `undefined`, for the imports of
 * operations the bundle never includes) and give the serializer the same set. The build fails if
 * the closure holds a polymorphic model (resolved through `discriminators`, which is left out).
 */
const SECURITY_SRC =
  /[\\/]@azure[\\/]arm-security[\\/]dist-esm[\\/]src[\\/](operations[\\/]jitNetworkAccessPolicies|models[\\/]mappers)\.js$/;
const MAPPERS_IMPORT = 'import * as Mappers from "../models/mappers";';

/** Top-level `export const|let <name> = ...` blocks of a generated file, by name. */
function exportBlocks(source) {
  const starts = [...source.matchAll(/^export (?:const|let) (\$?\w+) = /gm)];
  return new Map(starts.map((m, i) => [m[1], source.slice(m.index, starts[i + 1]?.index)]));
}

/** By source folder: the models the JIT operations reach. */
const jitModels = new Map();

/** The models the JIT operations reach, and mappers.js's blocks by model name. */
function jitModelClosure(src) {
  if (!jitModels.has(src)) jitModels.set(src, jitModelClosureOf(src));
  return jitModels.get(src);
}

async function jitModelClosureOf(src) {
  const [ops, parameters, mappers] = await Promise.all(
    ['operations/jitNetworkAccessPolicies.js', 'models/parameters.js', 'models/mappers.js'].map((f) =>
      readFile(join(src, f), 'utf8'),
    ),
  );
  const blocks = exportBlocks(mappers);
  // parameters.js: `import { X as XMapper, ... }` and `export const body2 = { ..., mapper: XMapper }`.
  const alias = new Map([...parameters.matchAll(/(\w+) as (\w+Mapper)\b/g)].map((m) => [m[2], m[1]]));
  const paramBlocks = exportBlocks(parameters);
  const usedParams = new Set([...ops.matchAll(/\bParameters\.(\$?\w+)/g)].map((m) => m[1]));
  const paramModels = [...usedParams].flatMap((p) =>
    [...(paramBlocks.get(p) ?? '').matchAll(/mapper: (\w+Mapper)\b/g)].map((m) => alias.get(m[1]) ?? m[1]),
  );
  const closure = new Set();
  const visit = (name) => {
    if (closure.has(name)) return;
    const block = blocks.get(name);
    if (block === undefined)
      throw new Error(`startup-patches: arm-security model '${name}' not found in ${src}`);
    if (/polymorphicDiscriminator|uberParent/.test(block)) {
      throw new Error(
        `startup-patches: arm-security model '${name}' is polymorphic; update scripts/startup-patches.mjs`,
      );
    }
    closure.add(name);
    for (const m of block.matchAll(/className: "(\w+)"|\b(\w+)\.type\.modelProperties/g)) visit(m[1] ?? m[2]);
  };
  [...[...ops.matchAll(/\bMappers\.(\w+)/g)].map((m) => m[1]), ...paramModels].forEach(visit);
  return { closure: [...closure].sort(), blocks };
}

async function securityJitOnly(path) {
  const { closure, blocks } = await jitModelClosure(join(dirname(path), '..'));
  if (/mappers\.js$/.test(path)) {
    const kept = new Set(closure);
    const contents = [...blocks]
      .map(([name, block]) => (kept.has(name) ? block : `export const ${name} = undefined;\n`))
      .join('');
    return { contents, loader: 'js' };
  }
  const source = await readFile(path, 'utf8');
  if (!source.includes(MAPPERS_IMPORT)) {
    throw new Error(
      `startup-patches: '${MAPPERS_IMPORT}' not found in ${path}; update scripts/startup-patches.mjs`,
    );
  }
  const named = `import { ${closure.join(', ')} } from "../models/mappers";\nconst Mappers = { ${closure.join(', ')} };`;
  return { contents: source.replace(MAPPERS_IMPORT, named), loader: 'js' };
}

export function startupPatches() {
  return {
    name: 'startup-patches',
    setup(build) {
      // The deferred files are left to Node's require at run time, beside the bundle.
      for (const { file, importer } of DEFERRED)
        build.onResolve({ filter: new RegExp(`^\\./${file.replace('.', '\\.')}$`) }, (args) =>
          importer.test(args.importer) ? { path: args.path, external: true } : undefined,
        );
      build.onLoad({ filter: SECURITY_SRC }, (args) => securityJitOnly(args.path));
      for (const { file, edits } of PATCHES) {
        build.onLoad({ filter: file }, async (args) => {
          let source = await readFile(args.path, 'utf8');
          for (const [from, to] of edits) {
            if (!source.includes(from)) {
              throw new Error(
                `startup-patches: '${from}' not found in ${args.path}; update scripts/startup-patches.mjs`,
              );
            }
            source = source.split(from).join(to);
          }
          return { contents: source, loader: 'js' };
        });
      }
    },
  };
}
