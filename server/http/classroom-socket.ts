// The classroom's two socket.io namespaces. CLASSROOM_NAMESPACE pushes: the dashboard snapshot to
// instructors watching a classroom, and messages, resets and takeover requests to attendees.
// SHADOW_NAMESPACE lets a signed-in instructor attach to an attendee's existing terminal with the
// terminal protocol: output flows as to any viewer, input is refused unless the attendee has
// consented, and the shadow never resizes the attendee's terminal.
import type { Namespace, Server, Socket } from 'socket.io';
import { CLASSROOM_NAMESPACE, SHADOW_NAMESPACE, type ClassroomClientToServerEvents, type ClassroomServerToClientEvents } from '../../protocol/classroom.js';
import type { TerminalRef } from '../../protocol/terminal.js';
import type { ClassroomPush, ClassroomService } from '../classrooms/classroom-service.js';
import type { InstructorAuth } from '../classrooms/instructor-auth.js';
import { clientFor, parseTerminalPayload, type TerminalAttachment, type TerminalNamespace, type TerminalRegistry, type TerminalSocket } from '../terminals/index.js';
import type { TerminalPayloads } from '../terminals/payloads.js';
import { originAllowed } from './lab-socket.js';
import type { VisitorTokens } from './visitor.js';

type Data = { visitorId?: string; instructor?: boolean };
type ClassroomNamespace = Namespace<ClassroomClientToServerEvents, ClassroomServerToClientEvents, Record<string, never>, Data>;
type ClassroomSocket = Socket<ClassroomClientToServerEvents, ClassroomServerToClientEvents, Record<string, never>, Data>;


export interface ClassroomSocketOptions {
  service: ClassroomService;
  auth: InstructorAuth;
  tokens: VisitorTokens;
  registry: TerminalRegistry;
  allowedOrigins: readonly string[];
}

const refusal = (code: string, message: string) => Object.assign(new Error(message), { data: { code, message } });
const authOf = (socket: { handshake: { auth: unknown } }) => (socket.handshake.auth ?? {}) as { token?: unknown; instructor?: unknown };

export function attachClassroomSockets(io: Server, options: ClassroomSocketOptions): { dispose(): void } {
  const { service, auth } = options;
  const ns = io.of(CLASSROOM_NAMESPACE) as unknown as ClassroomNamespace;
  const online = new Map<string, number>();

  ns.use((socket, next) => {
    const { origin, host } = socket.handshake.headers;
    if (!originAllowed(origin, host, options.allowedOrigins)) return next(refusal('ORIGIN_REFUSED', `sockets from ${origin} are not allowed`));
    const { token, instructor } = authOf(socket);
    if (typeof instructor === 'string') {
      if (!auth.verify('socket', instructor)) return next(refusal('INSTRUCTOR_ONLY', 'the instructor token is wrong or expired; sign in again'));
      socket.data.instructor = true;
      return next();
    }
    const visitorId = typeof token === 'string' ? options.tokens.verify(token) : undefined;
    if (!visitorId) return next(refusal('TOKEN_INVALID', 'fetch /api/me and pass its socketToken as auth.token'));
    socket.data.visitorId = visitorId;
    next();
  });

  ns.on('connection', (socket: ClassroomSocket) => {
    const { visitorId, instructor } = socket.data;
    if (instructor) {
      socket.on('dashboard:watch', (payload) => {
        const id = typeof payload?.classroomId === 'string' ? payload.classroomId : '';
        try {
          const snapshot = service.snapshot(id);
          for (const room of socket.rooms) if (room.startsWith('c:')) void socket.leave(room);
          void socket.join(`c:${id}`);
          socket.emit('dashboard:snapshot', snapshot);
        } catch {
          socket.disconnect(true);
        }
      });
      return;
    }
    if (!visitorId) return;
    void socket.join(`v:${visitorId}`);
    online.set(visitorId, (online.get(visitorId) ?? 0) + 1);
    const state = service.attendeeView(visitorId);
    if (state) socket.emit('classroom:state', state);
    service.visitorChanged(visitorId);
    socket.on('disconnect', () => {
      const n = (online.get(visitorId) ?? 1) - 1;
      if (n <= 0) online.delete(visitorId);
      else online.set(visitorId, n);
      service.visitorChanged(visitorId);
    });
  });

  const push: ClassroomPush = {
    snapshot: (id, snapshot) => ns.to(`c:${id}`).emit('dashboard:snapshot', snapshot),
    toAttendee: ((visitorId: string, event: keyof ClassroomServerToClientEvents, payload?: unknown) => {
      (ns.to(`v:${visitorId}`).emit as (e: string, ...args: unknown[]) => void)(event, ...(payload === undefined ? [] : [payload]));
    }) as ClassroomPush['toAttendee'],
    online: (visitorId) => (online.get(visitorId) ?? 0) > 0,
    watched: (id) => (ns.adapter.rooms.get(`c:${id}`)?.size ?? 0) > 0,
  };
  service.attach(push);

  const shadow = attachShadow(io, options);
  return {
    dispose() {
      shadow.dispose();
      ns.disconnectSockets(true);
      ns.removeAllListeners('connection');
    },
  };
}

/** The read-only terminal namespace for instructors. */
function attachShadow(io: Server, options: ClassroomSocketOptions): { dispose(): void } {
  const ns = io.of(SHADOW_NAMESPACE) as unknown as TerminalNamespace;
  ns.use((socket, next) => {
    const { origin, host } = socket.handshake.headers;
    if (!originAllowed(origin, host, options.allowedOrigins)) return next(refusal('ORIGIN_REFUSED', `sockets from ${origin} are not allowed`));
    const { instructor } = authOf(socket);
    if (typeof instructor !== 'string' || !options.auth.verify('socket', instructor)) return next(refusal('INSTRUCTOR_ONLY', 'only a signed-in instructor may watch terminals'));
    next();
  });

  ns.on('connection', (socket: TerminalSocket) => {
    const attachments = new Map<string, TerminalAttachment>();
    const keyOf = (ref: TerminalRef) => `${ref.sessionId}/${ref.terminalId}`;
    const fail = (event: 'terminal:attach' | 'terminal:input' | 'terminal:ack' | 'terminal:detach', code: 'TERMINAL_FORBIDDEN' | 'TERMINAL_NOT_FOUND' | 'TERMINAL_NOT_ATTACHED' | 'TERMINAL_BAD_MESSAGE', message: string, ref?: TerminalRef) =>
      socket.emit('terminal:error', { code, message, event, ...(ref && { sessionId: ref.sessionId, terminalId: ref.terminalId }) });
    const on = <E extends 'terminal:attach' | 'terminal:input' | 'terminal:ack' | 'terminal:detach'>(event: E, handler: (payload: TerminalPayloads[E]) => void) =>
      socket.on(event, ((payload: unknown) => {
        const parsed = parseTerminalPayload(event, payload);
        if (!parsed.ok) return fail(event, 'TERMINAL_BAD_MESSAGE', parsed.reason);
        handler(parsed.value);
      }) as never);

    on('terminal:attach', (request) => {
      const ref = { sessionId: request.sessionId, terminalId: request.terminalId };
      if (!options.service.visitorOfSession(ref.sessionId)) return fail('terminal:attach', 'TERMINAL_FORBIDDEN', 'this session does not belong to an attendee of an open classroom', ref);
      const terminal = options.registry.get(ref);
      if (!terminal) return fail('terminal:attach', 'TERMINAL_NOT_FOUND', `the attendee has not opened terminal ${ref.terminalId} (yet)`, ref);
      attachments.get(keyOf(ref))?.dispose();
      const attachment = terminal.attach(clientFor(socket, ref, () => attachments.delete(keyOf(ref))), { size: 'follow', ...(request.fromSeq !== undefined && { fromSeq: request.fromSeq }) });
      attachments.set(keyOf(ref), attachment);
    });
    on('terminal:input', (message) => {
      const attachment = attachments.get(keyOf(message));
      if (!attachment) return fail('terminal:input', 'TERMINAL_NOT_ATTACHED', 'attach to the terminal first', message);
      if (!options.service.mayWrite(message.sessionId)) return fail('terminal:input', 'TERMINAL_FORBIDDEN', 'read-only: the attendee has not let you type; ask with "Take over"', message);
      attachment.input(message.data);
    });
    on('terminal:ack', (message) => void attachments.get(keyOf(message))?.ack(message.seq));
    on('terminal:detach', (ref) => {
      attachments.get(keyOf(ref))?.dispose();
      attachments.delete(keyOf(ref));
    });
    socket.on('disconnect', () => {
      for (const a of attachments.values()) a.dispose();
      attachments.clear();
    });
  });
  return {
    dispose() {
      ns.disconnectSockets(true);
      ns.removeAllListeners('connection');
    },
  };
}
