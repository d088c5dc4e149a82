// Failures of the terminal layer that a caller can act on; the code travels to the browser.
import type { TerminalErrorCode } from '../../protocol/terminal.js';

/** A terminal request that failed, with a code from the protocol and a message saying what to do. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';

  constructor(
    readonly code: TerminalErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
