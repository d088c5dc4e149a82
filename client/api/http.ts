// The JSON API of server/http/lab-routes.ts as typed calls. Every failure becomes an ApiError with
// the server's code and sentence, so a page can show the reason instead of a status number.
import type { Catalog, LabDetail, SolutionReply, Visitor } from './types.js';

/** A refused or failed request, carrying the server's `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', ...init });
  } catch {
    throw new ApiError(0, 'OFFLINE', 'the kubelab server cannot be reached; check that it is running and reload the page');
  }
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? 'HTTP_' + res.status, error?.message ?? `the server answered ${res.status} ${res.statusText}`);
  }
  return body as T;
}

/** The visitor behind this browser's cookie, with a fresh socket token. */
export const fetchVisitor = (): Promise<Visitor> => request<Visitor>('/api/me');

/** Stores the name a trainer sees for this visitor. */
export const saveDisplayName = (displayName: string): Promise<{ displayName: string }> =>
  request('/api/me', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName }) });

/** Lessons and scenarios with this visitor's progress. */
export const fetchCatalog = (): Promise<Catalog> => request<Catalog>('/api/catalog');

/** One lab's rendered steps; solutions only once revealed. */
export const fetchLab = (slug: string): Promise<LabDetail> => request<LabDetail>(`/api/labs/${encodeURIComponent(slug)}`);

/** A step's solution, or an ApiError whose message says why it is still locked. */
export const fetchSolution = (slug: string, step: number): Promise<SolutionReply> =>
  request<SolutionReply>(`/api/labs/${encodeURIComponent(slug)}/steps/${step}/solution`);
