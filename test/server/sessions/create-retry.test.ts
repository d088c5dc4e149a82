// A session's cluster is created once more when the first `kind create` fails, and a second
// failure reaches the attendee as START_FAILED saying what happened and what to do.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Catalog, loadCatalog } from '../../../server/lessons/load.js';
import { CREATE_ATTEMPTS, SessionManager } from '../../../server/sessions/session-manager.js';
import { Store } from '../../../server/store/store.js';
import { FlakyProvider } from '../../support/flaky-provider.js';
import { FakeChecks, FakeClock, FakeEnvironments, FakeToolboxes } from './session-manager-fakes.js';

describe('creating a session cluster when kind fails', () => {
  let catalog: Catalog;
  let manager: SessionManager | undefined;
  beforeAll(async () => {
    catalog = await loadCatalog(process.cwd());
  });
  afterEach(async () => manager?.dispose());

  const build = () => {
    const provider = new FlakyProvider();
    const store = new Store(':memory:');
    manager = new SessionManager({
      provider, store, toolboxes: new FakeToolboxes(), clock: new FakeClock(),
      labs: (slug) => catalog.lessons.find((l) => l.slug === slug),
      nodeImage: 'n', toolboxImage: 't', sessionMinutes: 60, idleMinutes: 20, gated: true, poolSize: 0,
      environment: new FakeEnvironments().create, checks: new FakeChecks().create,
    });
    return { provider, store, manager };
  };

  it('tries once more with a fresh name and starts the session', async () => {
    const { provider, store, manager } = build();
    provider.failNext = 1;
    const messages: string[] = [];
    const ready = await manager.start('v1', 'pods', (p) => messages.push(p.message));
    expect(ready.step).toBe(1);
    expect(provider.failed).toHaveLength(1);
    expect(provider.created.map((c) => c.name)).not.toContain(provider.failed[0]);
    expect(messages).toContainEqual(expect.stringMatching(/^the first try failed; creating cluster kubelab-[0-9a-f]{8} once more$/));
    expect(store.liveSessions()).toHaveLength(1);
  });

  it(`gives up after ${CREATE_ATTEMPTS} tries with START_FAILED, the reason and what to do`, async () => {
    const { provider, store, manager } = build();
    provider.failNext = CREATE_ATTEMPTS;
    const error = await manager.start('v1', 'pods').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'START_FAILED' });
    expect((error as Error).message).toMatch(/could not be created \(2 tries; last error: ERROR: failed to create cluster: timed out waiting for the condition\)\. Press Start again in a minute; if it keeps failing, ask the workshop host/);
    expect(provider.failed).toHaveLength(CREATE_ATTEMPTS);
    expect(store.liveSessions()).toEqual([]);
    // The attendee can press Start again and it works.
    expect((await manager.start('v1', 'pods')).step).toBe(1);
  });
});
