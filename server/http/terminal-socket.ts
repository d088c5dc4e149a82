// Terminals on socket.io: server/terminals does the pty work; this file decides who may attach
// (the session token from `lab:ready`, carried in the handshake `auth`, from an allowed Origin)
// and what a terminal runs (a login shell in the session's toolbox).
import type { Server } from 'socket.io';
import { type TerminalServer, TerminalRegistry, attachTerminalHandlers } from '../terminals/index.js';
import type { SessionManager } from '../sessions/session-manager.js';
import { originAllowed } from './lab-socket.js';

/** The socket.io namespace of terminals. */
export const TERMINAL_NAMESPACE = '/terminal';
/** Terminal tabs a session may open: ids "1" to "4". */
const TERMINAL_ID = /^[1-4]$/;

const tokenOf = (auth: unknown): string | undefined => {
  const token = (auth as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' ? token : undefined;
};

/** Installs the terminal namespace; dispose() detaches sockets and ends every terminal. */
export function attachTerminalSocket(io: Server, options: { sessions: SessionManager; registry: TerminalRegistry; allowedOrigins: readonly string[] }): { dispose(): Promise<void> } {
  const namespace = (io as unknown as TerminalServer).of(TERMINAL_NAMESPACE);
  namespace.use((socket, next) => {
    const { origin, host } = socket.handshake.headers;
    if (!originAllowed(origin, host, options.allowedOrigins)) return next(Object.assign(new Error(`sockets from ${origin} are not allowed`), { data: { code: 'ORIGIN_REFUSED' } }));
    const token = tokenOf(socket.handshake.auth);
    if (!token) return next(Object.assign(new Error('the connection carries no session token; pass the sessionToken from lab:ready as auth.token'), { data: { code: 'TOKEN_MISSING' } }));
    if (!options.sessions.terminalTarget(token)) return next(Object.assign(new Error('this session has ended or the token is wrong; start the lab again'), { data: { code: 'TOKEN_INVALID' } }));
    next();
  });
  const handlers = attachTerminalHandlers(namespace, options.registry, (socket, sessionId) => {
    const target = options.sessions.terminalTarget(tokenOf(socket.handshake.auth) ?? '');
    if (target?.sessionId !== sessionId) return false;
    target.touch();
    return true;
  });
  const ended = options.sessions.onEvent((event) => {
    if (event.type === 'ended') void options.registry.disposeSession(event.sessionId);
  });
  return {
    async dispose() {
      ended.dispose();
      handlers.dispose();
      await options.registry.disposeAll();
    },
  };
}

/** The launcher the registry uses: a login shell in the session's toolbox. */
export function toolboxTerminalLauncher(sessions: () => SessionManager | undefined, env: Record<string, string>) {
  return (ref: { sessionId: string; terminalId: string }) => {
    if (!TERMINAL_ID.test(ref.terminalId)) return undefined;
    const shell = sessions()?.shellOf(ref.sessionId);
    if (!shell) return undefined;
    return { file: shell[0], args: shell[1], env, cwd: '/', termName: 'xterm-256color' };
  };
}
