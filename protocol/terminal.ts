// The terminal part of the socket.io contract between the browser and the server. Imported with
// `import type` from both sides; it uses neither DOM nor Node types. Output is binary: the server
// emits a Node Buffer, a browser receives an ArrayBuffer, a Node client a Buffer (a Uint8Array).
//
// Offsets ("seq") count output bytes since the terminal started: the chunk in an output message
// covers [seq, seq + data.byteLength). A client that remembers the end of the last chunk it saw
// can re-attach with that offset as `fromSeq` and receive exactly what it missed.

/** Names one terminal: a session owns several terminal tabs. Ids are short [A-Za-z0-9_-] strings. */
export interface TerminalRef {
  sessionId: string;
  terminalId: string;
}

/**
 * Limits the server enforces on every client message, as literal types so that this file stays
 * type-only: the server's schemas and the client's constants are checked against them.
 */
export interface TerminalLimits {
  maxRows: 500;
  maxCols: 1000;
  /** UTF-8 bytes of one input message; longer pastes go in several messages. */
  maxInputBytes: 65536;
  maxIdLength: 64;
}

/** Sent to start (or resume) receiving a terminal's output; also declares this client's size. */
export interface TerminalAttachRequest extends TerminalRef {
  /** Offset of the first byte this client has not seen; absent for a fresh screen. */
  fromSeq?: number;
  cols: number;
  rows: number;
}

/** Keystrokes or pasted text, as xterm.js's onData gives them. */
export interface TerminalInputMessage extends TerminalRef {
  data: string;
}

/** This client's screen size changed. */
export interface TerminalResizeMessage extends TerminalRef {
  cols: number;
  rows: number;
}

/** Cumulative: every output byte before `seq` has been rendered by this client. */
export interface TerminalAckMessage extends TerminalRef {
  seq: number;
}

/** Why the replay does not continue exactly where the client asked. */
export type TerminalReplayGap =
  /** Bytes between fromSeq and startSeq were dropped from the replay buffer. */
  | { kind: 'truncated'; skippedBytes: number }
  /** fromSeq lies beyond this terminal's output: the client saw another terminal (e.g. before a server restart). */
  | { kind: 'unknown-offset' };

/** How a terminal ended. */
export interface TerminalExitInfo {
  exitCode: number;
  signal?: number;
}

/** Answer to an attach: replay follows as ordinary output messages starting at `startSeq`. */
export interface TerminalAttachedMessage extends TerminalRef {
  startSeq: number;
  /** Output written so far; the replay ends here. */
  endSeq: number;
  /** Present when the client must reset its screen before writing the replay. */
  gap?: TerminalReplayGap;
  cols: number;
  rows: number;
  /** Present when the terminal has already ended. */
  exit?: TerminalExitInfo;
}

/** A chunk of output: bytes [seq, seq + data.byteLength). */
export interface TerminalOutputMessage extends TerminalRef {
  seq: number;
  data: Uint8Array | ArrayBuffer;
}

/** The terminal's program ended; no more output follows unless a client asks for a restart. */
export interface TerminalExitMessage extends TerminalRef, TerminalExitInfo {}

/** A new program started in the terminal after an exit; its output continues from `seq`. */
export interface TerminalRestartedMessage extends TerminalRef {
  seq: number;
}

/** The pty size in effect changed (another client attached, detached or resized). */
export interface TerminalSizeMessage extends TerminalRef {
  cols: number;
  rows: number;
}

/** Every way a terminal request can fail, as the `code` of an error message. */
export type TerminalErrorCode =
  /** The payload did not match the schema or exceeded a limit; nothing was done. */
  | 'TERMINAL_BAD_MESSAGE'
  /** The session refused this socket (missing or wrong token). */
  | 'TERMINAL_FORBIDDEN'
  /** No such terminal in this session, and none can be started under that id. */
  | 'TERMINAL_NOT_FOUND'
  /** Input, resize or ack for a terminal this socket has not attached to. */
  | 'TERMINAL_NOT_ATTACHED'
  /** This client stopped acknowledging output and was detached so others can continue; re-attach with fromSeq. */
  | 'TERMINAL_CLIENT_STALLED'
  /** The terminal could not be started. */
  | 'TERMINAL_START_FAILED';

/** A request failed; `event` names the client event that caused it. */
export interface TerminalErrorMessage {
  code: TerminalErrorCode;
  message: string;
  event: keyof TerminalClientToServerEvents | 'server';
  sessionId?: string;
  terminalId?: string;
}

/** Events a browser sends about terminals. */
export interface TerminalClientToServerEvents {
  'terminal:attach': (request: TerminalAttachRequest) => void;
  'terminal:detach': (ref: TerminalRef) => void;
  'terminal:input': (message: TerminalInputMessage) => void;
  'terminal:resize': (message: TerminalResizeMessage) => void;
  'terminal:ack': (message: TerminalAckMessage) => void;
  /** Starts a new shell in a terminal whose shell exited; ignored while one runs. */
  'terminal:restart': (ref: TerminalRef) => void;
}

/** Events the server sends about terminals. */
export interface TerminalServerToClientEvents {
  'terminal:attached': (message: TerminalAttachedMessage) => void;
  'terminal:output': (message: TerminalOutputMessage) => void;
  'terminal:size': (message: TerminalSizeMessage) => void;
  'terminal:exit': (message: TerminalExitMessage) => void;
  'terminal:restarted': (message: TerminalRestartedMessage) => void;
  'terminal:error': (message: TerminalErrorMessage) => void;
}

/** Terminals need no events between server instances: a terminal lives in one process. */
export type TerminalInterServerEvents = Record<never, never>;

/** What the terminal handlers keep on a socket (socket.data). */
export interface TerminalSocketData {
  /** Sessions this socket was authorised for, in the order it attached. */
  terminalSessionIds?: string[];
}
