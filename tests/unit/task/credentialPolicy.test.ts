import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { credentialPolicies, credentialPolicy, tokensInBody } from '../../../task/credentialPolicy';

describe('tokensInBody', () => {
  it('finds token fields in JSON bodies', () => {
    expect(tokensInBody('{"access_token":"a.b.c","expires_in":3599,"token_type":"Bearer"}')).toEqual([
      'a.b.c',
    ]);
    expect(tokensInBody('{"oidcToken":"eyJ"}')).toEqual(['eyJ']);
  });
  it.each([undefined, null, '', 'not json', '[1,2]', '{"access_token":5}', '"x"'])('ignores %j', (body) => {
    expect(tokensInBody(body)).toEqual([]);
  });
});

describe('credentialPolicy', () => {
  const respond = (bodyAsText: string) => (request: ReturnType<typeof createPipelineRequest>) =>
    Promise.resolve<PipelineResponse>({ request, status: 200, headers: createHttpHeaders(), bodyAsText });

  it('masks the token in the response before handing it on', async () => {
    const masked: string[] = [];
    const request = createPipelineRequest({ url: 'https://login.example/token' });
    const response = await credentialPolicy((v) => masked.push(v)).sendRequest(
      request,
      respond('{"access_token":"secret-token"}'),
    );
    expect(masked).toEqual(['secret-token']);
    expect(response.bodyAsText).toContain('secret-token');
  });

  it('is paired with the core per-attempt timeout (its timer is always cleared)', () => {
    const policies = credentialPolicies(() => undefined).map((p) => [p.policy.name, p.position]);
    expect(policies).toEqual([
      ['adoCredentialPolicy', 'perCall'],
      ['jitTimeoutPolicy', 'perRetry'],
    ]);
  });
});
