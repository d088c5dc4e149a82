// Classrooms on the wire: what the instructor's dashboard and the attendee's page receive on the
// socket.io namespace CLASSROOM_NAMESPACE, and the JSON bodies of the classroom HTTP routes.
// Instructor actions go over HTTP (cookie-authenticated, easy to audit and test); the socket only
// pushes. The shadow namespace speaks protocol/terminal.ts, read-only unless the attendee consents.
import { z } from 'zod';

export const CLASSROOM_NAMESPACE = '/classroom';
export const SHADOW_NAMESPACE = '/shadow';

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(100);
const visitorId = z.string().regex(/^[0-9a-f]{32}$/);

/** POST /api/instructor/classrooms. */
export const createClassroomSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  labs: z.array(slug).min(1).max(30),
  seats: z.number().int().min(1).max(200),
  prewarm: z.number().int().min(0).max(200),
  sessionMinutes: z.number().int().min(5).max(24 * 60),
  gated: z.boolean(),
  stuckMinutes: z.number().int().min(1).max(120).default(10),
  startsAt: z.number().int().positive().nullable().default(null),
  endsAt: z.number().int().positive().nullable().default(null),
});
export type CreateClassroom = z.input<typeof createClassroomSchema>;

/** POST /api/join. */
export const joinSchema = z.strictObject({ code: z.string().min(1).max(40), displayName: z.string().trim().min(1).max(60) });
/** Seats an action applies to; absent means every seat. */
export const seatsSchema = z.strictObject({ visitors: z.array(visitorId).max(500).optional() });
export const extendSchema = z.strictObject({ visitors: z.array(visitorId).max(500).optional(), minutes: z.number().int().min(1).max(240) });
export const messageSchema = z.strictObject({ text: z.string().trim().min(1).max(500), visitors: z.array(visitorId).max(500).optional() });
/** Holds the class at a step of a lab; `pace: null` releases it. */
export const paceSchema = z.strictObject({ pace: z.strictObject({ lab: slug, step: z.number().int().min(1).max(99) }).nullable() });
export const handSchema = z.strictObject({ raised: z.boolean(), note: z.string().trim().max(200).optional() });
export const consentSchema = z.strictObject({ allow: z.boolean() });
export const takeoverSchema = z.strictObject({ visitor: visitorId });

/** A classroom as its instructor sees its settings. */
export interface ClassroomInfo {
  id: string;
  name: string;
  code: string;
  /** Path of the join page; the page prefixes its own origin. */
  joinPath: string;
  labs: { slug: string; title: string; steps: { number: number; title: string; checks: number }[] }[];
  seats: number;
  prewarm: number;
  sessionMinutes: number;
  gated: boolean;
  stuckMinutes: number;
  startsAt: number | null;
  endsAt: number | null;
  createdAt: number;
  endedAt: number | null;
  pace: { lab: string; step: number } | null;
}

/** One heatmap cell: a seat on a step. */
export type CellState = 'not-started' | 'in-progress' | 'passed' | 'failing';

/** What a seat's cluster is doing. */
export type SeatCluster = 'none' | 'starting' | 'ready' | 'busy' | 'lost';

/** One row of the dashboard. */
export interface SeatView {
  seat: number;
  visitorId: string;
  displayName: string;
  joinedAt: number;
  online: boolean;
  cluster: SeatCluster;
  sessionId: string | null;
  expiresAt: number | null;
  /** Where the attendee is. */
  current: { lab: string; step: number; since: number } | null;
  /** One state per step of every lab, in classroom order (lab-major). */
  cells: CellState[];
  passed: number;
  /** Failed Checks in a row on the current step. */
  failStreak: number;
  stuck: { reason: string } | null;
  hand: { id: number; raisedAt: number; note: string } | null;
  takeover: 'none' | 'asked' | 'granted';
}

/** The whole dashboard, pushed on every change. */
export interface DashboardSnapshot {
  classroom: ClassroomInfo;
  now: number;
  seats: SeatView[];
  /** Per column: seats on that step now, seats that passed it. */
  steps: { lab: string; step: number; title: string; here: number; passed: number }[];
  hands: { id: number; visitorId: string; displayName: string; raisedAt: number; note: string }[];
  pool: { target: number; ready: number; creating: number; lastError?: string } | null;
  capacityWarning: string | null;
}

/** What an attendee's page knows of their classroom. */
export interface AttendeeClassroom {
  id: string;
  name: string;
  displayName: string;
  seat: number;
  labs: { slug: string; title: string; steps: number; passedSteps: number[] }[];
  pace: { lab: string; step: number } | null;
  handRaised: boolean;
  endedAt: number | null;
  takeover: 'none' | 'asked' | 'granted';
}

/** A message from the instructor. */
export interface ClassroomMessage {
  text: string;
  at: number;
  /** true when sent to this attendee only. */
  direct: boolean;
}

/** Events the server sends on the classroom namespace. */
export interface ClassroomServerToClientEvents {
  'dashboard:snapshot': (snapshot: DashboardSnapshot) => void;
  'classroom:state': (state: AttendeeClassroom) => void;
  'classroom:message': (message: ClassroomMessage) => void;
  /** The instructor reset this attendee's lab: reload it. */
  'classroom:reset': (info: { message: string }) => void;
  'classroom:takeover-request': () => void;
  'classroom:ended': (info: { message: string }) => void;
}

/** Events a browser sends on the classroom namespace: the dashboard picks its classroom. */
export interface ClassroomClientToServerEvents {
  'dashboard:watch': (payload: { classroomId: string }) => void;
}
