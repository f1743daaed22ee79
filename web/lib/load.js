// Loading the parts of a page side by side.

import { ApiError } from './api.js';

// Runs loaders side by side; a part that fails does not take the page with
// it. A 401 still ends the page (the caller's render shows the login).
// Returns [{ok, value, error}] in order.
export async function settle(...promises) {
  const results = await Promise.allSettled(promises);
  for (const r of results) {
    if (r.status === 'rejected' && r.reason instanceof ApiError && r.reason.status === 401) throw r.reason;
  }
  return results.map((r) => (r.status === 'fulfilled'
    ? { ok: true, value: r.value }
    : { ok: false, error: r.reason }));
}
