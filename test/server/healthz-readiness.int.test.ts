// /healthz must not wait on the host probes (docker info, kind version, image inspect take
// seconds on a loaded host; the density bench saw a 1.5 s p95): once the first answer is known,
// a stale one is served at once while a single refresh runs behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostReadiness } from '../../server/sessions/session-manager.js';
import { FakeClock } from './sessions/session-manager-fakes.js';
import { type FakeLabApp, READY, startFakeLabApp } from '../support/fake-lab-app.js';

describe('/healthz and a slow host probe', () => {
  const clock = new FakeClock(Date.now());
  const probes: Array<(r: HostReadiness) => void> = [];
  let calls = 0;
  let f: FakeLabApp;

  beforeAll(async () => {
    const probe = () => {
      calls++;
      if (calls === 1) return Promise.resolve(READY);
      return new Promise<HostReadiness>((resolve) => probes.push(resolve));
    };
    f = await startFakeLabApp({ deps: { readiness: probe, clock } });
  });
  afterAll(async () => {
    for (const resolve of probes) resolve(READY);
    await f?.close();
  });

  const health = async () => ((await (await fetch(`${f.base}/healthz`)).json()) as { host: { docker: { detail: string } } }).host.docker.detail;

  it('answers with the last known readiness while one refresh is still running', async () => {
    expect(await health()).toBe('fake');
    clock.time += 16_000; // past the 15 s the answer is trusted
    // The refresh started by this request is held open by the test, yet both requests answer.
    expect(await health()).toBe('fake');
    expect(await health()).toBe('fake');
    expect(probes).toHaveLength(1);
    probes[0]!({ ...READY, docker: { ok: true, detail: 'refreshed' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(await health()).toBe('refreshed');
    expect(calls).toBe(2);
  });
});
