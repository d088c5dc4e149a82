// The classroom API (server/http/classroom-routes.ts) as typed calls, and the two classroom
// sockets: the push namespace (dashboard snapshots, attendee notices) and the shadow terminals.
import { io, type Socket } from 'socket.io-client';
import type { AttendeeClassroom, ClassroomClientToServerEvents, ClassroomInfo, ClassroomServerToClientEvents, CreateClassroom, DashboardSnapshot } from '../../protocol/classroom.js';
import type { TerminalClientSocket } from '../terminal/index.js';
import { ApiError } from './http.js';

/** protocol/classroom.ts CLASSROOM_NAMESPACE and SHADOW_NAMESPACE (imported as types only, so spelled here). */
const CLASSROOM_PATH = '/classroom';
const SHADOW_PATH = '/shadow';

export type ClassroomSocket = Socket<ClassroomServerToClientEvents, ClassroomClientToServerEvents>;

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      ...(method === 'POST' && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }),
    });
  } catch {
    throw new ApiError(0, 'OFFLINE', 'the kubelab server cannot be reached; check that it is running and reload the page');
  }
  const json = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? `the server answered ${res.status}`);
  }
  return json as T;
}

export interface CapacityEstimate {
  freeMemoryMiB: number;
  cpus: number;
  clusters: number;
  limitedBy: 'memory' | 'cpu';
}

export interface StepSummary {
  lab: string;
  step: number;
  title: string;
  started: number;
  passed: number;
  medianSeconds: number | null;
  failedChecks: number;
  topFailures: { title: string; count: number }[];
}

export type TimelineEntry =
  | { at: number; kind: 'command'; command: string }
  | { at: number; kind: 'check'; lab: string; step: number; passed: boolean; failed: string[] }
  | { at: number; kind: 'step'; lab: string; step: number };

const base = (id: string) => `/api/instructor/classrooms/${encodeURIComponent(id)}`;

export const instructorApi = {
  me: () => call<{ signedIn: boolean; socketToken?: string }>('GET', '/api/instructor/me'),
  login: (token: string) => call<{ signedIn: true }>('POST', '/api/instructor/login', { token }),
  logout: () => call('POST', '/api/instructor/logout'),
  list: () => call<{ classrooms: ClassroomInfo[]; capacity: CapacityEstimate }>('GET', '/api/instructor/classrooms'),
  create: (input: CreateClassroom) => call<{ classroom: ClassroomInfo; warning: string | null }>('POST', '/api/instructor/classrooms', input),
  snapshot: (id: string) => call<DashboardSnapshot>('GET', base(id)),
  message: (id: string, text: string, visitors?: string[]) => call<{ sent: number }>('POST', `${base(id)}/message`, { text, ...(visitors && { visitors }) }),
  resolveHand: (id: string, hand: number) => call('POST', `${base(id)}/hands/${hand}/resolve`),
  reset: (id: string, visitors?: string[]) => call<{ reset: number; failed: { visitorId: string; message: string }[] }>('POST', `${base(id)}/reset`, visitors ? { visitors } : {}),
  extend: (id: string, minutes: number, visitors?: string[]) => call<{ extended: number }>('POST', `${base(id)}/extend`, { minutes, ...(visitors && { visitors }) }),
  pace: (id: string, pace: { lab: string; step: number } | null) => call('POST', `${base(id)}/pace`, { pace }),
  takeover: (id: string, visitor: string) => call('POST', `${base(id)}/takeover`, { visitor }),
  release: (id: string, visitor: string) => call('POST', `${base(id)}/takeover/release`, { visitor }),
  end: (id: string) => call<{ ended: number }>('POST', `${base(id)}/end`),
  summary: (id: string) => call<{ classroom: ClassroomInfo; attendees: number; steps: StepSummary[] }>('GET', `${base(id)}/summary`),
  timeline: (id: string, visitor: string) => call<{ entries: TimelineEntry[]; commands: string }>('GET', `${base(id)}/timeline/${visitor}`),
  qrUrl: (id: string) => `${base(id)}/qr.svg`,
  exportUrl: (id: string, format: 'csv' | 'json') => `${base(id)}/export.${format}`,
};

export const attendeeApi = {
  join: (code: string, displayName: string) => call<{ classroom: AttendeeClassroom }>('POST', '/api/join', { code, displayName }),
  mine: () => call<{ classroom: AttendeeClassroom | null }>('GET', '/api/classroom'),
  hand: (raised: boolean, note?: string) => call('POST', '/api/classroom/hand', { raised, ...(note && { note }) }),
  consent: (allow: boolean) => call('POST', '/api/classroom/consent', { allow }),
};

/** The push socket: `{ instructor }` for the dashboard, `{ token }` (visitor socket token) for an attendee. */
export function connectClassroom(auth: { instructor: string } | { token: string }): ClassroomSocket {
  return io(CLASSROOM_PATH, { auth, transports: ['websocket', 'polling'] });
}

/** The read-only terminal socket of an instructor. */
export function connectShadow(instructorToken: string): TerminalClientSocket {
  return io(SHADOW_PATH, { auth: { instructor: instructorToken }, transports: ['websocket', 'polling'] });
}

/** "4 min", "1 h 05", for times on a step. */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')}`;
}

/** A join code as printed: ABCD-EFGH. */
export const formatCode = (code: string) => (code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code);
