import { describe, expect, it } from 'vitest';
import { API_FAILURES_BEFORE_LOST, type ContainerHealth, judgeHealth, lostMessage, parseInspect } from '../../../server/sessions/session-manager/cluster-health.js';

const node = (status: string, extra: Partial<ContainerHealth> = {}): ContainerHealth => ({ name: 'kubelab-ab12-control-plane', role: 'node', status, ...extra });
const toolbox = (status: string, extra: Partial<ContainerHealth> = {}): ContainerHealth => ({ name: 'kubelab-ab12-toolbox', role: 'toolbox', status, ...extra });
const API_OK = { ok: true } as const;
const API_DOWN = { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:40123' } as const;

describe('judgeHealth', () => {
  it('is healthy when every container runs and the API answers', () => {
    expect(judgeHealth({ containers: [node('running'), toolbox('running')], api: API_OK }, 0)).toEqual({ state: 'healthy' });
  });

  it.each([
    [node('exited', { exitCode: 137 }), 'its node container kubelab-ab12-control-plane stopped (exit code 137)'],
    [node('missing'), 'its node container kubelab-ab12-control-plane was removed'],
    [node('exited', { exitCode: 137, oomKilled: true }), 'its node container kubelab-ab12-control-plane ran out of memory and was killed'],
    [node('paused'), 'its node container kubelab-ab12-control-plane is paused'],
  ])('calls the cluster lost at once when a node is not running: %j', (dead, reason) => {
    expect(judgeHealth({ containers: [dead, toolbox('running')], api: API_OK }, 0)).toEqual({ state: 'lost', reason });
  });

  it('calls it lost when the terminal container dies, and names the node first when both are down', () => {
    expect(judgeHealth({ containers: [node('running'), toolbox('exited', { exitCode: 0 })], api: API_OK }, 0)).toEqual({ state: 'lost', reason: 'the terminal container kubelab-ab12-toolbox stopped (exit code 0)' });
    expect(judgeHealth({ containers: [toolbox('missing'), node('exited', { exitCode: 255 })], api: API_DOWN }, 0)).toMatchObject({ reason: expect.stringContaining('node container') });
  });

  it(`believes a silent API server lost only after ${API_FAILURES_BEFORE_LOST} probes in a row`, () => {
    const observation = { containers: [node('running'), toolbox('running')], api: API_DOWN };
    expect(judgeHealth(observation, 0)).toEqual({ state: 'suspect', apiFailures: 1 });
    expect(judgeHealth(observation, 1)).toEqual({ state: 'suspect', apiFailures: 2 });
    expect(judgeHealth(observation, 2)).toEqual({ state: 'lost', reason: 'its API server did not answer 3 times in a row: connect ECONNREFUSED 127.0.0.1:40123' });
    expect(judgeHealth({ ...observation, api: API_OK }, 2)).toEqual({ state: 'healthy' });
  });

  it('says what happened and that progress is kept', () => {
    expect(lostMessage('its node container x was removed')).toBe('Your cluster stopped (its node container x was removed). Reset creates a fresh one; your progress is kept.');
  });
});

describe('parseInspect', () => {
  it('reads docker inspect lines and reports the containers it did not print as missing', () => {
    const stdout = '/kubelab-ab12-control-plane|exited|137|false\n/kubelab-ab12-worker|running|0|false\n';
    const wanted = [
      { name: 'kubelab-ab12-control-plane', role: 'node' as const },
      { name: 'kubelab-ab12-worker', role: 'node' as const },
      { name: 'kubelab-ab12-toolbox', role: 'toolbox' as const },
    ];
    expect(parseInspect(stdout, wanted)).toEqual([
      { name: 'kubelab-ab12-control-plane', role: 'node', status: 'exited', exitCode: 137 },
      { name: 'kubelab-ab12-worker', role: 'node', status: 'running', exitCode: 0 },
      { name: 'kubelab-ab12-toolbox', role: 'toolbox', status: 'missing' },
    ]);
    expect(parseInspect('/a|exited|137|true', [{ name: 'a', role: 'node' }])).toEqual([{ name: 'a', role: 'node', status: 'exited', exitCode: 137, oomKilled: true }]);
  });
});
