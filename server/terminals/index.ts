// The terminal layer: a pty per terminal shared by any number of browsers, with replay, flow
// control and a socket.io binding. Callers import from here only.
export { TerminalError } from './errors.js';
export { DEFAULT_FLOW_SETTINGS, FlowLedger, decideFlow } from './flow-control.js';
export type { ClientFlow, FlowDecision, FlowSettings } from './flow-control.js';
export { TERMINAL_LIMITS, parseTerminalPayload, terminalPayloadSchemas } from './payloads.js';
export { TerminalRegistry } from './registry.js';
export type { TerminalLauncher, TerminalRegistryOptions } from './registry.js';
export { ReplayBuffer } from './replay-buffer.js';
export type { Replay } from './replay-buffer.js';
export { TERMINAL_MAX_HTTP_BUFFER_SIZE, attachTerminalHandlers, clientFor } from './socket-handlers.js';
export type { AuthorizeTerminalSession, RejectedMessage, TerminalHandlers, TerminalNamespace, TerminalServer, TerminalSocket } from './socket-handlers.js';
export { DEFAULT_REPLAY_BYTES, Terminal } from './terminal.js';
export type { AttachInfo, TerminalAttachment, TerminalClient, TerminalLaunch, TerminalOptions, TerminalStats } from './terminal.js';
export { effectiveSize } from './terminal-size.js';
export type { TerminalSize } from './terminal-size.js';
