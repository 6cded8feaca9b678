import { applyAgentProxy, bypassEntryToHost, proxyEnvironment } from '../../../task/adoProxy';
import { englishMessages } from '../../../task/messages';

describe('bypassEntryToHost', () => {
  it.each([
    ['github\\.com', '.github.com'],
    ['^localhost$', '.localhost'],
    ['.*\\.corp\\.local', '.corp.local'],
    ['*.contoso.com', '.contoso.com'],
    ['127\\.0\\.0\\.1', '.127.0.0.1'],
    ['https://vault\\.azure\\.net', '.vault.azure.net'],
  ])('%s -> %s', (entry, host) => {
    expect(bypassEntryToHost(entry)).toBe(host);
  });

  it.each(['(foo|bar)\\.com', 'host[0-9]+\\.local', '', '   '])('rejects %j', (entry) => {
    expect(bypassEntryToHost(entry)).toBeUndefined();
  });
});

describe('proxyEnvironment', () => {
  it('puts url-encoded credentials into the proxy URL and lists every form of the password as a secret', () => {
    const p = proxyEnvironment(
      { proxyUrl: 'http://proxy.corp:3128', proxyUsername: 'svc@corp', proxyPassword: 'p@ss;w/rd' },
      '',
    );
    expect(p?.env.HTTPS_PROXY).toBe('http://svc%40corp:p%40ss%3Bw%2Frd@proxy.corp:3128');
    expect(p?.env.HTTP_PROXY).toBe(p?.env.HTTPS_PROXY);
    expect(p?.display).toBe('http://proxy.corp:3128');
    expect(p?.secrets).toEqual(
      expect.arrayContaining([
        'p@ss;w/rd',
        'p%40ss%3Bw%2Frd',
        'http://svc%40corp:p%40ss%3Bw%2Frd@proxy.corp:3128',
      ]),
    );
    expect(p?.env.NO_PROXY).toBeUndefined();
  });

  it('merges the bypass list into an existing NO_PROXY and reports entries it cannot convert', () => {
    const p = proxyEnvironment(
      { proxyUrl: 'http://proxy:8080', proxyBypassHosts: ['github\\.com', '(a|b)\\.com', 'internal'] },
      'localhost, .svc',
    );
    expect(p?.env.NO_PROXY).toBe('localhost,.svc,.github.com,.internal');
    expect(p?.skipped).toEqual(['(a|b)\\.com']);
    expect(p?.secrets).toEqual([]);
  });

  it('returns undefined for a proxy URL that is not http(s)', () => {
    expect(proxyEnvironment({ proxyUrl: 'not a url' }, '')).toBeUndefined();
    expect(proxyEnvironment({ proxyUrl: 'socks5://proxy:1080' }, '')).toBeUndefined();
  });
});

describe('applyAgentProxy', () => {
  const deps = (config: Parameters<typeof applyAgentProxy>[0]['config'], env: NodeJS.ProcessEnv) => {
    const log = { secrets: [] as string[], info: [] as string[], warnings: [] as string[] };
    return {
      log,
      deps: {
        config,
        env,
        setSecret: (v: string) => log.secrets.push(v),
        info: (m: string) => log.info.push(m),
        warning: (m: string) => log.warnings.push(m),
        loc: englishMessages,
      },
    };
  };

  it('does nothing without an agent proxy', () => {
    const env: NodeJS.ProcessEnv = { HTTPS_PROXY: 'http://mine:1' };
    const { deps: d, log } = deps(null, env);
    expect(applyAgentProxy(d)).toBe(false);
    expect(env).toEqual({ HTTPS_PROXY: 'http://mine:1' });
    expect(log.info).toEqual([]);
  });

  it('masks the password before it sets the variables, and logs the proxy without credentials', () => {
    const env: NodeJS.ProcessEnv = { https_proxy: 'http://old:1', no_proxy: '.old' };
    const { deps: d, log } = deps(
      {
        proxyUrl: 'http://proxy:8080',
        proxyUsername: 'u',
        proxyPassword: 'hunter2',
        proxyBypassHosts: ['x\\.y'],
      },
      env,
    );
    expect(applyAgentProxy(d)).toBe(true);
    expect(env.HTTPS_PROXY).toBe('http://u:hunter2@proxy:8080');
    expect(env.NO_PROXY).toBe('.old,.x.y');
    expect(env.https_proxy).toBeUndefined();
    expect(log.secrets).toContain('hunter2');
    expect(log.info.join('\n')).toContain('http://proxy:8080');
    expect(log.info.join('\n')).not.toContain('hunter2');
  });

  it('warns and leaves the environment alone when the agent proxy URL is invalid', () => {
    const env: NodeJS.ProcessEnv = {};
    const { deps: d, log } = deps({ proxyUrl: '::bad::' }, env);
    expect(applyAgentProxy(d)).toBe(false);
    expect(env).toEqual({});
    expect(log.warnings[0]).toContain('::bad::');
  });
});
