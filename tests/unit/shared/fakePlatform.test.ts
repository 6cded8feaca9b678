import { SAMPLE_POST } from '../../helpers/sampleSummaries';
import { FakePlatform, expectNoLeak } from '../../helpers/fakePlatform';

describe('FakePlatform', () => {
  it('returns inputs by kebab name and records reads', () => {
    const p = new FakePlatform({ inputs: { ports: '22' } });
    expect(p.getInput('ports')).toBe('22');
    expect(p.getInput('vms')).toBe('');
    expect(p.inputReads).toEqual(['ports', 'vms']);
  });

  it('records logs by level and group, masking registered secrets like a runner', async () => {
    const p = new FakePlatform();
    p.info('before s3cr3t');
    p.setSecret('s3cr3t');
    await p.group('Resolve', async () => {
      p.warning('after s3cr3t');
    });
    expect(p.logs).toEqual([
      { level: 'info', message: 'before s3cr3t', raw: 'before s3cr3t', groups: [] },
      { level: 'warning', message: 'after ***', raw: 'after s3cr3t', groups: ['Resolve'] },
    ]);
    expect(p.messages('warning')).toEqual(['after ***']);
  });

  it('finds a secret anywhere it was written, masked or not', async () => {
    const p = new FakePlatform();
    expect(() => expectNoLeak(p, 'tok')).not.toThrow();
    p.setSecret('tok');
    p.debug('token is tok');
    expect(p.leaks('tok')).toEqual(['token is tok']);
    expect(() => expectNoLeak(p, 'tok')).toThrow(/leaked into 1 recorded text/);

    const q = new FakePlatform();
    q.setOutput('host', 'x-tok');
    q.saveState('jit-state', '{"t":"tok"}');
    await q.appendSummary({ ...SAMPLE_POST, nothingToDo: 'tok' });
    q.setFailed('failed: tok');
    expect(q.leaks('tok')).toHaveLength(4);
  });

  it('keeps state, outputs, summaries and failures', async () => {
    const p = new FakePlatform({ state: { 'jit-state': '{}' } });
    expect(p.getState('jit-state')).toBe('{}');
    p.saveState('jit-state', '{"version":1}');
    expect(p.getState('jit-state')).toBe('{"version":1}');
    expect(p.stateWrites).toHaveLength(1);
    p.setOutput('ip', '203.0.113.10');
    expect(p.outputs.get('ip')).toBe('203.0.113.10');
    await p.appendSummary(SAMPLE_POST);
    expect(p.summaryData).toEqual([SAMPLE_POST]);
    expect(p.summaries[0]).toContain('JIT access closed');
    expect(p.failed).toBe(false);
    p.setFailed('boom');
    expect(p.failed).toBe(true);
    expect(p.runMetadata().system).toBe('GitHub Actions');
  });
});
