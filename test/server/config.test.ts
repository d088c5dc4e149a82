import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/config.js';

const GiB = 2 ** 30;
const parse = (argv: string[], env: Record<string, string> = {}, freeMemoryBytes = 6 * GiB) => parseConfig(argv, env, '/srv/kubelab', { freeMemoryBytes });

describe('parseConfig', () => {
  it('gives the documented defaults with nothing set', () => {
    expect(parse([])).toEqual({
      port: 3000, host: '127.0.0.1', dataDir: '/srv/kubelab/data', lessonsRoot: '/srv/kubelab', poolSize: 1, maxSessions: 10,
      sessionMinutes: 120, idleMinutes: 30, gated: true, imagesMode: 'auto', allowedOrigins: [], logLevel: 'info', owner: 'kubelab', networkPool: '172.16.0.0/16',
    });
  });

  it.each([
    [['--port', '8080'], {}, { port: 8080 }],
    [[], { KUBELAB_PORT: '4000' }, { port: 4000 }],
    [['--port', '8080'], { KUBELAB_PORT: '4000' }, { port: 8080 }],
    [['--no-gated'], {}, { gated: false }],
    [[], { KUBELAB_GATED: 'false' }, { gated: false }],
    [['--pool-size', '0'], {}, { poolSize: 0 }],
    [['--data-dir', '/var/lib/kubelab'], {}, { dataDir: '/var/lib/kubelab' }],
    [[], { KUBELAB_ALLOWED_ORIGINS: 'https://lab.example.org/, http://a.test:8080' }, { allowedOrigins: ['https://lab.example.org', 'http://a.test:8080'] }],
    [[], { KUBELAB_IMAGES_MODE: 'build' }, { imagesMode: 'build' }],
    [[], { KUBELAB_PORT: '' }, { port: 3000 }],
    [['--max-sessions', '3'], {}, { maxSessions: 3 }],
    [[], { KUBELAB_MAX_SESSIONS: '25' }, { maxSessions: 25 }],
    [['--owner', 'kubelab-room-2'], {}, { owner: 'kubelab-room-2' }],
    [[], { KUBELAB_NETWORK_POOL: '10.210.0.0/16' }, { networkPool: '10.210.0.0/16' }],
    [['--network-pool', 'docker'], {}, { networkPool: 'docker' }],
  ])('reads %j with %j', (argv, env, expected) => {
    expect(parse(argv, env)).toMatchObject(expected);
  });

  it('names every bad variable and its fix in one error', () => {
    let error: unknown;
    try {
      parse([], { KUBELAB_PORT: 'abc', KUBELAB_POOL_SIZE: '-1', KUBELAB_IMAGES_MODE: 'fast' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe('KUBELAB_PORT="abc" is not valid: use a free TCP port such as 3000 (or unset KUBELAB_PORT)');
    expect(problems[1]).toContain('KUBELAB_POOL_SIZE="-1"');
    expect(problems[2]).toContain('use auto, pull or build');
  });

  it('names the flag when a flag is wrong', () => {
    expect(() => parse(['--session-minutes', '2'])).toThrow('--session-minutes="2" is not valid: use a whole number of minutes from 5 to 1440');
  });

  it('refuses an unknown flag and lists the flags', () => {
    expect(() => parse(['--prot', '1'])).toThrow(/--prot.*flags are:/s);
  });

  it('refuses an idle limit longer than the session', () => {
    expect(() => parse([], { KUBELAB_SESSION_MINUTES: '20', KUBELAB_IDLE_MINUTES: '30' })).toThrow(/KUBELAB_IDLE_MINUTES \(30\) is longer than KUBELAB_SESSION_MINUTES \(20\)/);
  });

  it('sizes the default seat count from free memory, and refuses a pool larger than the seats', () => {
    expect(parse([], {}, 1.8 * GiB).maxSessions).toBe(3);
    expect(parse(['--pool-size', '0'], {}, 0).maxSessions).toBe(1);
    expect(() => parse(['--max-sessions', '0'])).toThrow(/--max-sessions="0" is not valid: use a whole number from 1 to 1000/);
    expect(() => parse(['--pool-size', '3', '--max-sessions', '2'])).toThrow(/warm pool \(KUBELAB_POOL_SIZE 3\) is larger than KUBELAB_MAX_SESSIONS \(2\)/);
  });
});

describe('network pool', () => {
  it.each(['10.210.0.0/33', '10.210.0.0/25', 'ten/16', '300.1.0.0/16'])('refuses %j, saying what a pool looks like', (pool) => {
    expect(() => parse(['--network-pool', pool])).toThrow(/--network-pool=.* is not valid: use an IPv4 range such as 172\.16\.0\.0\/16 .*each cluster takes a \/24/);
  });
});

describe('owner', () => {
  it('refuses an owner that is not a label value, saying why servers need their own', () => {
    expect(() => parse(['--owner', 'Room 2'])).toThrow(/--owner="Room 2" is not valid: .*give each server sharing a Docker host its own/);
  });
});
