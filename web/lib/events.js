// The tab's one live-events subscription: an EventSource on the stream the
// app gives it (GET /api/v1/events), opened once per tab while someone is
// signed in, and a small pub/sub so that the header and the open page hear
// what changed. EventSource reconnects by itself and sends Last-Event-ID,
// so nothing is missed over a short drop; when the server closes the stream
// for good (signed out, session expired) the app stops it.

let source = null;
let streamUrl = null;
let retryTimer = null;
const listeners = new Map(); // kind ("message", "message_read", "*") -> Set of functions

function dispatch(kind, data) {
  for (const key of [kind, '*']) {
    for (const fn of listeners.get(key) || []) {
      try {
        fn(data, kind);
      } catch (err) {
        console.error(err);
      }
    }
  }
}

function open() {
  clearTimeout(retryTimer);
  retryTimer = null;
  source = new EventSource(streamUrl, { withCredentials: true });
  // Every event the server names is passed on under its kind.
  const onEvent = (e) => {
    let data = {};
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    dispatch(data.kind || e.type, data);
  };
  for (const kind of ['message', 'message_read']) source.addEventListener(kind, onEvent);
  source.onopen = () => dispatch('open', {});
  source.onerror = () => {
    // CLOSED: the server refused (401) or the browser gave up; try again
    // later while the app still wants the stream (it stops it on sign-out).
    if (source && source.readyState === EventSource.CLOSED) {
      source.close();
      source = null;
      retryTimer = setTimeout(() => { if (streamUrl) open(); }, 10000);
    }
  };
}

// Opens the stream at url unless it is open already.
export function startEvents(url) {
  if (typeof EventSource === 'undefined') return;
  if (source && streamUrl === url) return;
  stopEvents();
  streamUrl = url;
  open();
}

// Closes the stream (signing out).
export function stopEvents() {
  clearTimeout(retryTimer);
  retryTimer = null;
  streamUrl = null;
  if (source) source.close();
  source = null;
}

// Calls fn(data, kind) for each event of kind ("*": every one). Returns the
// function that stops it.
export function onEvent(kind, fn) {
  if (!listeners.has(kind)) listeners.set(kind, new Set());
  listeners.get(kind).add(fn);
  return () => listeners.get(kind)?.delete(fn);
}
