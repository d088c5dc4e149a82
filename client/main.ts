// The browser app: applies the stored theme and font size, draws the app bar, and routes by hash
// (#/ is the catalog, #/labs/<slug> a lab) so the server only ever serves index.html.
import './styles/app.css';
import { renderAppBar } from './pages/app-bar.js';
import { showCatalog } from './pages/catalog.js';
import { mountClassroomOverlay } from './pages/classroom-overlay.js';
import { classroomRoute } from './pages/classroom-routes.js';
import { showLab } from './pages/lab.js';
import { applyToDocument, followSystemTheme } from './preferences.js';

/** What the current page holds (sockets, terminals, listeners); disposed on navigation. */
let current: { dispose(): void } | undefined;

function route(): void {
  current?.dispose();
  current = undefined;
  const main = document.getElementById('main');
  if (!main) return;
  main.replaceChildren();
  const lab = /^#\/labs\/([a-z0-9-]+)$/.exec(location.hash);
  const classroom = classroomRoute(main, location.hash, location.pathname);
  if (classroom) {
    document.body.dataset['page'] = classroom.page;
    current = classroom.view;
  } else if (lab?.[1]) {
    document.body.dataset['page'] = 'lab';
    current = showLab(main, lab[1]);
  } else {
    document.body.dataset['page'] = 'catalog';
    current = showCatalog(main);
  }
}

applyToDocument();
followSystemTheme();
const bar = document.getElementById('app-bar');
if (bar) renderAppBar(bar);
window.addEventListener('hashchange', route);
route();
// An attendee in a classroom sees its bar, messages and prompts on every page.
let overlay = mountClassroomOverlay();
window.addEventListener('kubelab:classroom-joined', () => {
  overlay.dispose();
  overlay = mountClassroomOverlay();
});
