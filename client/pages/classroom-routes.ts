// The classroom pages' routes, kept out of main.ts: /join/<code> (the QR link) and #/join for
// attendees, #/classroom for their room, #/instructor… for the instructor.
import { showClassroomHome } from './classroom-home.js';
import { showCards } from './instructor/cards.js';
import { showDashboard } from './instructor/dashboard.js';
import { showInstructorHome } from './instructor/home.js';
import { showSummary } from './instructor/summary.js';
import { showJoin } from './join.js';

/** The classroom page for this address, or undefined when it is not one. */
export function classroomRoute(main: HTMLElement, hash: string, pathname: string): { page: string; view: { dispose(): void } } | undefined {
  const joinPath = /^\/join(?:\/([A-Za-z0-9-]{1,20}))?\/?$/.exec(pathname);
  if (joinPath && (hash === '' || hash === '#/')) return { page: 'join', view: showJoin(main, joinPath[1] ?? '') };
  if (hash === '#/join') return { page: 'join', view: showJoin(main, '') };
  if (hash === '#/classroom') return { page: 'classroom', view: showClassroomHome(main) };
  if (hash === '#/instructor') return { page: 'instructor', view: showInstructorHome(main) };
  const m = /^#\/instructor\/classrooms\/([0-9a-f]{16})(?:\/(cards|summary))?$/.exec(hash);
  if (!m?.[1]) return undefined;
  if (m[2] === 'cards') return { page: 'cards', view: showCards(main, m[1]) };
  if (m[2] === 'summary') return { page: 'summary', view: showSummary(main, m[1]) };
  return { page: 'dashboard', view: showDashboard(main, m[1]) };
}
