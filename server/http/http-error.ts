// The one HTTP error type and the one final express handler: every failure leaves as
// `{ error: { code, message } }` with a status, and unexpected ones are logged, not shown.
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { StoreError } from '../store/store.js';

/** A request that cannot be served, with the status and a code the page can act on. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The final error handler; express's own errors (bad JSON, too large) keep their status. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let status = 500;
    let code = 'INTERNAL';
    let message = 'something went wrong on the server; the log has the details';
    if (error instanceof HttpError) ({ status, code, message } = error);
    else if (error instanceof StoreError) ({ status, code, message } = { status: 503, code: error.code, message: error.attendeeMessage });
    else if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      status = error.status;
      code = 'BAD_REQUEST';
      message = error instanceof Error ? error.message : 'the request could not be read';
    }
    if (status >= 500) log.error({ err: error, method: req.method, url: req.originalUrl }, 'request failed');
    if (res.headersSent) return;
    res.status(status).json({ error: { code, message } });
  };
}
