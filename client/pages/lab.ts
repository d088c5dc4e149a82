// The lab page: lesson pane and terminals side by side. It loads the lab, starts (or resumes) the
// visitor's session over the lab socket, shows start progress until the cluster is ready, then
// opens the terminals; Check, step moves, reset, jump and extend go through the same socket.
import type { LabReady } from '../../protocol/lab.js';
import { ApiError, fetchLab, fetchVisitor } from '../api/http.js';
import { LabRequestError, connectLab, connectTerminals, request, type LabSocket } from '../api/lab-connection.js';
import type { LabDetail } from '../api/types.js';
import { el } from '../dom.js';
import { onPreferencesChange } from '../preferences.js';
import { setAppBarSlot } from './app-bar.js';
import { checkProblem, checkResults } from './lab/check-results.js';
import { ClusterLostBanner } from './lab/cluster-lost.js';
import { LessonPane, stepNoun } from './lab/lesson-pane.js';
import { ScenarioBoard } from './lab/scenario-board.js';
import { SessionBar } from './lab/session-bar.js';
import { splitHandle } from './lab/split.js';
import { StartProgress } from './lab/start-progress.js';
import { TerminalTabs } from './lab/terminal-tabs.js';

const messageOf = (error: unknown) => (error instanceof LabRequestError || error instanceof ApiError ? error.message : 'something went wrong; try again');

/** Shows lab `slug` in `main`; dispose() closes its sockets and terminals. */
export function showLab(main: HTMLElement, slug: string): { dispose(): void } {
  const disposers: (() => void)[] = [];
  let disposed = false;
  const status = el('p', { class: 'muted page-status', role: 'status' }, 'Loading the lab…');
  main.append(status);
  void Promise.all([fetchLab(slug), fetchVisitor()]).then(
    ([lab, visitor]) => {
      if (disposed) return;
      status.remove();
      disposers.push(mountLab(main, lab, visitor.socketToken));
    },
    (error: unknown) => {
      status.className = 'notice notice-error page-status';
      status.replaceChildren(messageOf(error) + ' ', el('a', { href: '#/' }, 'Back to the catalog'));
    },
  );
  return {
    dispose() {
      disposed = true;
      for (const d of disposers) d();
      setAppBarSlot();
    },
  };
}

function mountLab(main: HTMLElement, lab: LabDetail, socketToken: string): () => void {
  document.title = `${lab.title} · kubelab`;
  const passed = new Set(lab.passedSteps);
  let session: LabReady | undefined;
  let tabs: TerminalTabs | undefined;
  let checking = false;
  const socket: LabSocket = connectLab(socketToken);

  const pane = new LessonPane(lab, {
    run: (command, terminal) => tabs?.terminal(terminal)?.paste(command, { execute: true }),
    check: () => void check(),
    go: (step) => void move('lab:goto', step),
  });
  const bar = new SessionBar(lab, {
    extend: () => void extend(),
    reset: () => void reset(),
    jump: (step) => void move('lab:jump', step),
  });
  setAppBarSlot(bar.element);

  // Scenarios: score, task chips, the exam clock and, at the end, the results.
  let over = lab.scenario?.over ?? false;
  const board = lab.type === 'scenario' ? new ScenarioBoard(lab.steps, { go: (step) => void move('lab:goto', step), timeUp: () => void finish() }) : undefined;
  if (board) pane.element.prepend(board.element);
  const refreshBoard = () => board?.update(passed, pane.current);
  // Shows the final results and stops Check from scoring.
  const finish = async (): Promise<void> => {
    over = true;
    pane.checkButton.disabled = true;
    try {
      const detail = await fetchLab(lab.slug);
      if (detail.scenario) board?.showResults(detail.scenario);
    } catch (error) {
      pane.showResults(checkProblem(messageOf(error)));
    }
  };

  const terminalArea = el('section', { class: 'terminal-area', 'aria-label': 'Terminals' });
  const lostBanner = new ClusterLostBanner({ recover: () => recover() });
  const layout = el('div', { class: 'lab-layout' }, pane.element);
  layout.append(splitHandle(layout), terminalArea);
  main.append(layout);

  let progress = new StartProgress();
  terminalArea.append(progress.element);
  pane.show(firstUnpassed(lab, passed), passed);
  refreshBoard();
  if (over) void finish();
  pane.setSessionReady(false);
  bar.setSessionReady(false);

  const ready = (r: LabReady) => {
    if (session?.sessionId === r.sessionId) return;
    session = r;
    passed.clear();
    r.passedSteps.forEach((s) => passed.add(s));
    pane.show(r.step, passed);
    refreshBoard();
    if (r.examEndsAt !== undefined) board?.setEndsAt(r.examEndsAt);
    pane.setSessionReady(!over);
    bar.setSessionReady(true);
    bar.setExpiresAt(r.expiresAt);
    bar.setCluster({ state: 'ready', message: 'Your cluster is ready' });
    tabs?.dispose();
    tabs = new TerminalTabs(connectTerminals(r.sessionToken), r.sessionId);
    lostBanner.hide();
    terminalArea.replaceChildren(lostBanner.element, tabs.element);
  };

  const start = () => {
    request(socket, 'lab:start', { slug: lab.slug }).then(ready, (error: unknown) => progress.fail(messageOf(error), retry));
  };
  const retry = () => {
    progress = new StartProgress();
    terminalArea.replaceChildren(progress.element);
    start();
  };

  socket.on('lab:progress', (p) => p.slug === lab.slug && progress.update(p));
  socket.on('lab:ready', (r) => r.slug === lab.slug && ready(r));
  socket.on('lab:timer', (t) => t.sessionId === session?.sessionId && bar.setTimer(t));
  socket.on('lab:cluster', (c) => {
    if (c.sessionId !== session?.sessionId) return;
    bar.setCluster(c);
    if (c.state === 'lost') lostBanner.show(c.message);
    else if (c.state === 'ready') lostBanner.hide();
  });
  socket.on('lab:ended', (ended) => {
    if (ended.sessionId !== session?.sessionId) return;
    session = undefined;
    tabs?.dispose();
    tabs = undefined;
    pane.setSessionReady(false);
    bar.setSessionReady(false);
    bar.setCluster({ state: 'lost', message: ended.message });
    const again = el('button', { type: 'button', class: 'button button-primary', onclick: retry }, 'Start again');
    terminalArea.replaceChildren(el('div', { class: 'start-progress' }, el('h2', {}, 'This session has ended'), el('p', { class: 'notice' }, ended.message), again));
  });
  socket.on('connect_error', (error) => {
    if (session) bar.setCluster({ state: 'busy', message: `reconnecting to the lab server: ${error.message}` });
    else progress.fail(`cannot connect to the lab server: ${error.message}`, () => location.reload());
  });
  socket.on('connect', () => session && bar.setCluster({ state: 'ready', message: 'Your cluster is ready' }));
  start();

  async function check(): Promise<void> {
    if (!session || checking || over) return;
    checking = true;
    pane.setChecking(true);
    try {
      const reply = await request(socket, 'lab:check', { sessionId: session.sessionId });
      passed.clear();
      reply.passedSteps.forEach((s) => passed.add(s));
      pane.show(pane.current, passed, { keepResults: true });
      pane.showResults(checkResults(reply, stepNoun(lab)));
      refreshBoard();
      if (board && lab.steps.every((s) => s.points === undefined || passed.has(s.number))) void finish();
    } catch (error) {
      pane.showResults(checkProblem(messageOf(error)));
      if (error instanceof LabRequestError && error.code === 'TIME_UP') void finish();
    } finally {
      checking = false;
      pane.setChecking(false);
    }
  }

  async function move(event: 'lab:goto' | 'lab:jump', step: number): Promise<void> {
    if (step < 1 || step > lab.steps.length) return;
    if (!session) return pane.show(step, passed, { focus: true });
    await applyStep(request(socket, event, { sessionId: session.sessionId, step }));
  }

  // Replaces a lost cluster; the shells in the old toolbox ended, so the tabs start new ones.
  async function recover(): Promise<void> {
    if (!session) return;
    const { step, passedSteps } = await request(socket, 'lab:recover', { sessionId: session.sessionId });
    passed.clear();
    passedSteps.forEach((s) => passed.add(s));
    pane.show(step, passed, { focus: true });
    tabs?.restartExited();
  }

  async function reset(): Promise<void> {
    if (session) await applyStep(request(socket, 'lab:reset', { sessionId: session.sessionId }));
  }

  // goto, jump and reset all answer with the step the session is now on.
  async function applyStep(reply: Promise<{ step: number; passedSteps: number[] }>): Promise<void> {
    try {
      const { step, passedSteps } = await reply;
      passed.clear();
      passedSteps.forEach((s) => passed.add(s));
      pane.show(step, passed, { focus: true });
      refreshBoard();
    } catch (error) {
      pane.showResults(checkProblem(messageOf(error)));
    }
  }

  async function extend(): Promise<void> {
    if (!session) return;
    try {
      bar.setExpiresAt((await request(socket, 'lab:extend', { sessionId: session.sessionId })).expiresAt);
    } catch (error) {
      pane.showResults(checkProblem(messageOf(error)));
    }
  }

  // Ctrl+Enter checks from anywhere, the terminal included (it never sees the key). Alt+←/→ move
  // between steps, except in a terminal, where the shell uses them to move by word.
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.stopPropagation();
      void check();
    } else if (event.altKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) {
      if ((event.target as Element | null)?.closest('.xterm')) return;
      const direction = event.key === 'ArrowRight' ? 1 : -1;
      event.preventDefault();
      if (pane.canGo(direction)) void move('lab:goto', pane.current + direction);
    }
  };
  window.addEventListener('keydown', onKey, true);
  const preferences = onPreferencesChange(() => tabs?.refreshPreferences());

  return () => {
    window.removeEventListener('keydown', onKey, true);
    preferences.dispose();
    bar.dispose();
    board?.dispose();
    tabs?.dispose();
    socket.disconnect();
  };
}

/** The step to open on: the first one not yet passed. */
function firstUnpassed(lab: LabDetail, passed: ReadonlySet<number>): number {
  return lab.steps.find((s) => !passed.has(s.number))?.number ?? 1;
}
