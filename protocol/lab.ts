// The lab half of the wire: starting a lab, Check, reset, jump and the session clock, on the
// socket.io namespace LAB_NAMESPACE. Both ends use these types; the server validates every
// client→server payload with the schemas below before it reaches a session, a shell or a cluster.
//
// Authentication: the handshake carries `auth: { token }` (never a query string, so it stays out
// of access logs). The token is the visitor's socket token from `GET /api/me`; the server also
// refuses browsers whose Origin is not the page's own. `lab:ready` hands out a session token,
// which the terminal namespace takes in its own handshake `auth`.
import { z } from 'zod';

/** The socket.io namespace of lab events. */
export const LAB_NAMESPACE = '/lab';

/** Lab slugs: lower-case words joined by dashes (as folder names are). */
const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(100);
/** Session ids are 32 hex characters. */
const sessionId = z.string().regex(/^[0-9a-f]{32}$/);
const step = z.number().int().min(1).max(99);

/** `lab:start` payload: which lab to start (or resume, if this visitor already runs it). */
export const startLabSchema = z.strictObject({ slug });
/** Payload of the events that act on the visitor's running session. */
export const sessionActionSchema = z.strictObject({ sessionId });
/** `lab:goto` and `lab:jump` payload: a step number, from 1. */
export const stepActionSchema = z.strictObject({ sessionId, step });
/** The socket handshake's `auth`. */
export const labHandshakeSchema = z.object({ token: z.string().min(1).max(512) });

/** `lab:start` payload. */
export type StartLab = z.infer<typeof startLabSchema>;
/** Payload of check, reset, extend and end. */
export type SessionAction = z.infer<typeof sessionActionSchema>;
/** Payload of goto and jump. */
export type StepAction = z.infer<typeof stepActionSchema>;

/** Why a request failed, by code, with a sentence for the attendee. */
export interface LabError {
  code: string;
  message: string;
}

/** Every acknowledgement: the result, or an error. */
export type Ack<T> = ({ ok: true } & T) | { ok: false; error: LabError };

/** Phases of starting a lab, in order; a pooled cluster skips most of `cluster`. */
export type StartPhase = 'queued' | 'cluster' | 'images' | 'toolbox' | 'setup' | 'ready';

/** One line of start progress. */
export interface LabProgress {
  slug: string;
  phase: StartPhase;
  message: string;
}

/** A session ready for the terminal and Check. */
export interface LabReady {
  sessionId: string;
  /** For the terminal namespace's handshake `auth`; keep it in memory, not in the URL. */
  sessionToken: string;
  slug: string;
  /** The step the attendee is on. */
  step: number;
  /** Steps passed so far. */
  passedSteps: number[];
  /** Epoch ms when the session ends unless extended. */
  expiresAt: number;
  /** Timed scenarios: epoch ms when time is up (the clock started at the visitor's first session); Check stops scoring then. */
  examEndsAt?: number;
}

/** The result of one check, as the lesson pane shows it. */
export interface CheckOutcome {
  id: string;
  title: string;
  passed: boolean;
  message: string;
  expected?: string;
  actual?: string;
  hint?: string;
}

/** The result of one press of Check. */
export interface CheckReply {
  step: number;
  passed: boolean;
  results: CheckOutcome[];
  /** Steps passed so far, this one included when it passed. */
  passedSteps: number[];
}

/** Where a session is after goto, jump or reset. */
export interface StepReply {
  step: number;
  passedSteps: number[];
}

/** The session clock, sent on start, after extend and when a warning is due. */
export interface SessionTimer {
  sessionId: string;
  expiresAt: number;
  /** When the session ends if nothing happens in it. */
  idleExpiresAt: number;
  /** true once the end is near enough that the page should offer "extend". */
  warning: boolean;
}

/** Why a session ended. */
export type EndReason = 'expired' | 'idle' | 'ended' | 'replaced' | 'cluster-lost' | 'failed';

/** What the cluster is doing, for the status line of the page; `lost` comes with the sentence to show and is cleared by `lab:recover` (or reset, jump). */
export interface ClusterStatus {
  sessionId: string;
  state: 'starting' | 'ready' | 'busy' | 'lost';
  message: string;
}

/** Events the browser sends; each takes an acknowledgement callback. */
export interface LabClientToServerEvents {
  'lab:start': (payload: StartLab, ack: (reply: Ack<LabReady>) => void) => void;
  'lab:check': (payload: SessionAction, ack: (reply: Ack<CheckReply>) => void) => void;
  'lab:goto': (payload: StepAction, ack: (reply: Ack<StepReply>) => void) => void;
  'lab:jump': (payload: StepAction, ack: (reply: Ack<StepReply>) => void) => void;
  'lab:reset': (payload: SessionAction, ack: (reply: Ack<StepReply>) => void) => void;
  /** After `lab:cluster` said `lost`: a new cluster and toolbox, the earlier steps' solutions replayed, the same step. */
  'lab:recover': (payload: SessionAction, ack: (reply: Ack<StepReply>) => void) => void;
  'lab:extend': (payload: SessionAction, ack: (reply: Ack<{ expiresAt: number }>) => void) => void;
  'lab:end': (payload: SessionAction, ack: (reply: Ack<object>) => void) => void;
}

/** Events the server sends. */
export interface LabServerToClientEvents {
  'lab:progress': (progress: LabProgress) => void;
  'lab:ready': (ready: LabReady) => void;
  'lab:timer': (timer: SessionTimer) => void;
  'lab:ended': (ended: { sessionId: string; reason: EndReason; message: string }) => void;
  'lab:cluster': (status: ClusterStatus) => void;
}
