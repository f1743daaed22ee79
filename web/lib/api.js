// Client for the Hearth JSON API (/api/v1). Adds the CSRF token to every
// state-changing request and turns problem+json answers into ApiError.

const BASE = '/api/v1';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// The token lives in memory only; after a reload /auth/session hands out a new one.
let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token || null;
}

// An error answer from the server. status is 0 when the network failed.
// problem holds the parsed problem+json body ({type, title, status, detail, ...}).
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  // The server's explanation for the person, if it gave one.
  get detail() {
    return typeof this.problem.detail === 'string' ? this.problem.detail : null;
  }
}

// Sends one request and resolves to the parsed JSON body (null for 204).
// Rejects with ApiError for any non-2xx answer or a network failure.
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, {});
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new ApiError(res.status, data && typeof data === 'object' ? data : {});
  return data;
}
