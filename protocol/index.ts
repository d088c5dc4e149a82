// The whole socket.io contract: each concern declares its events in its own file, and these
// types combine them (intersect new concerns' event maps here) for `new Server<…>` and `io<…>`.
import type {
  TerminalClientToServerEvents,
  TerminalInterServerEvents,
  TerminalServerToClientEvents,
  TerminalSocketData,
} from './terminal.js';

export type * from './terminal.js';

/** Every event a browser may send. */
export type ClientToServerEvents = TerminalClientToServerEvents;
/** Every event the server may send. */
export type ServerToClientEvents = TerminalServerToClientEvents;
/** Events between server instances behind an adapter. */
export type InterServerEvents = TerminalInterServerEvents;
/** What handlers keep on socket.data. */
export type SocketData = TerminalSocketData;
