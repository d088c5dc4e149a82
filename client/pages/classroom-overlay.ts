// What a classroom adds to every attendee page, without touching the pages themselves: a small
// bar (classroom, seat, raise hand), the instructor's messages as banners, the prompt when the
// instructor asks to type in the terminal, and reloading the page after the instructor resets it.
import '../styles/classroom.css';
import type { AttendeeClassroom } from '../../protocol/classroom.js';
import { type ClassroomSocket, attendeeApi, connectClassroom } from '../api/classroom.js';
import { fetchVisitor } from '../api/http.js';
import { el } from '../dom.js';

/** Mounts the overlay when this browser sits in a classroom; call again after joining. */
export function mountClassroomOverlay(): { dispose(): void } {
  let socket: ClassroomSocket | undefined;
  const root = el('div', { class: 'classroom-overlay', 'aria-live': 'polite' });
  const toasts = el('div', { class: 'toasts', role: 'log', 'aria-label': 'Messages from your instructor' });
  const bar = el('div', { class: 'classroom-bar' });
  root.append(toasts, bar);

  const draw = (state: AttendeeClassroom) => {
    document.body.append(root);
    const hand = el('button', { type: 'button', class: `button button-small${state.handRaised ? ' hand-raised' : ''}`, 'aria-pressed': String(state.handRaised), onclick: () => void attendeeApi.hand(!state.handRaised) }, state.handRaised ? 'Hand raised · lower it' : 'Raise hand');
    bar.replaceChildren(
      el('a', { href: '#/classroom', class: 'classroom-name' }, state.name),
      el('span', { class: 'muted' }, `seat ${state.seat}`),
      state.pace ? el('span', { class: 'pace-note' }, `Held at step ${state.pace.step}`) : '',
      state.takeover === 'granted' ? el('span', { class: 'takeover-note' }, 'Your instructor can type in your terminal ', el('button', { type: 'button', class: 'button button-small', onclick: () => void attendeeApi.consent(false) }, 'Stop')) : '',
      hand,
    );
    if (state.endedAt) bar.append(el('span', { class: 'muted' }, '· ended'));
  };

  const toast = (text: string, kind: 'message' | 'direct' | 'notice' = 'message', actions: HTMLElement[] = []) => {
    const close = el('button', { type: 'button', class: 'icon-button', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '✕');
    const item = el('div', { class: `toast toast-${kind}`, role: 'status' }, el('p', {}, text), ...actions, close);
    toasts.append(item);
    return item;
  };

  void Promise.all([attendeeApi.mine(), fetchVisitor()]).then(([{ classroom }, visitor]) => {
    if (!classroom || classroom.endedAt) return;
    draw(classroom);
    socket = connectClassroom({ token: visitor.socketToken });
    socket.on('classroom:state', draw);
    socket.on('classroom:message', (m) => toast(m.text, m.direct ? 'direct' : 'message'));
    socket.on('classroom:reset', (m) => {
      toast(m.message, 'notice');
      window.dispatchEvent(new HashChangeEvent('hashchange')); // the lab page reloads its session
    });
    socket.on('classroom:ended', (m) => {
      toast(m.message, 'notice');
      root.classList.add('ended');
    });
    socket.on('classroom:takeover-request', () => {
      const prompt = toast('Your instructor asks to type in your terminal. You can stop it at any time.', 'direct', [
        el('button', { type: 'button', class: 'button button-primary button-small', onclick: () => void attendeeApi.consent(true).finally(() => prompt.remove()) }, 'Allow'),
        el('button', { type: 'button', class: 'button button-small', onclick: () => void attendeeApi.consent(false).finally(() => prompt.remove()) }, 'Not now'),
      ]);
      prompt.classList.add('takeover-prompt');
    });
  });

  return {
    dispose() {
      socket?.disconnect();
      root.remove();
    },
  };
}
