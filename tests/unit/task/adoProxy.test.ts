import { agentProxy, agentProxyRoute, bypassEntryToHost } from '../../../task/adoProxy';
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

describe('agentProxyRoute', () => {
  it('passes url-encoded credentials as proxy settings and lists every form of the password as a secret', () => {
    const p = agentProxyRoute(
      { proxyUrl: 'http://proxy.corp:3128', proxyUsername: 'svc@corp', proxyPassword: 'p@ss;w/rd' },
      '',
    );
    expect(p?.route.settings).toEqual({
      host: 'http://proxy.corp',
      port: 3128,
      username: 'svc%40corp',
      password: 'p%40ss%3Bw%2Frd',
    });
    expect(p?.display).toBe('http://proxy.corp:3128');
    expect(p?.secrets).toEqual(expect.arrayContaining(['p@ss;w/rd', 'p%40ss%3Bw%2Frd']));
    expect(p?.route.noProxy).toEqual([]);
  });

  it('keeps credentials written into the proxy URL, masked, unless the agent gives its own', () => {
    const p = agentProxyRoute({ proxyUrl: 'http://svc:p%40ss@proxy.corp:3128' }, '');
    expect(p?.route.settings).toMatchObject({ username: 'svc', password: 'p%40ss' });
    expect(p?.secrets).toEqual(expect.arrayContaining(['p@ss', 'p%40ss']));
    expect(p?.display).toBe('http://proxy.corp:3128');
    const given = agentProxyRoute(
      { proxyUrl: 'http://svc:old@proxy.corp:3128', proxyUsername: 'u', proxyPassword: 'new' },
      '',
    );
    expect(given?.route.settings).toMatchObject({ username: 'u', password: 'new' });
  });

  it('takes the scheme default port when the URL has none', () => {
    expect(agentProxyRoute({ proxyUrl: 'http://proxy' }, '')?.route.settings).toEqual({
      host: 'http://proxy',
      port: 80,
    });
    expect(agentProxyRoute({ proxyUrl: 'https://proxy/' }, '')?.route.settings.port).toBe(443);
  });

  it('merges the bypass list into the existing NO_PROXY entries and reports entries it cannot convert', () => {
    const p = agentProxyRoute(
      { proxyUrl: 'http://proxy:8080', proxyBypassHosts: ['github\\.com', '(a|b)\\.com', 'internal'] },
      'localhost, .svc',
    );
    expect(p?.route.noProxy).toEqual(['localhost', '.svc', '.github.com', '.internal']);
    expect(p?.skipped).toEqual(['(a|b)\\.com']);
    expect(p?.secrets).toEqual([]);
  });

  it('returns undefined for a proxy URL that is not http(s)', () => {
    expect(agentProxyRoute({ proxyUrl: 'not a url' }, '')).toBeUndefined();
    expect(agentProxyRoute({ proxyUrl: 'socks5://proxy:1080' }, '')).toBeUndefined();
  });
});

describe('agentProxy', () => {
  const deps = (config: Parameters<typeof agentProxy>[0]['config'], env: NodeJS.ProcessEnv) => {
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

  it('gives no route without an agent proxy', () => {
    const env: NodeJS.ProcessEnv = { HTTPS_PROXY: 'http://mine:1' };
    const { deps: d, log } = deps(null, env);
    expect(agentProxy(d)).toBeUndefined();
    expect(env).toEqual({ HTTPS_PROXY: 'http://mine:1' });
    expect(log.info).toEqual([]);
  });

  it('masks the password, logs the proxy without credentials, and leaves the environment alone', () => {
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
    expect(agentProxy(d)).toEqual({
      settings: { host: 'http://proxy', port: 8080, username: 'u', password: 'hunter2' },
      noProxy: ['.old', '.x.y'],
    });
    expect(env).toEqual({ https_proxy: 'http://old:1', no_proxy: '.old' });
    expect(log.secrets).toContain('hunter2');
    expect(log.info.join('\n')).toContain('http://proxy:8080');
    expect(log.info.join('\n')).not.toContain('hunter2');
  });

  it('warns and gives no route when the agent proxy URL is invalid', () => {
    const env: NodeJS.ProcessEnv = {};
    const { deps: d, log } = deps({ proxyUrl: '::bad::' }, env);
    expect(agentProxy(d)).toBeUndefined();
    expect(env).toEqual({});
    expect(log.warnings[0]).toContain('::bad::');
  });
});
