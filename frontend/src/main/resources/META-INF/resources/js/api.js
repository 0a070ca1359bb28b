// Small fetch helpers: every error answer of the API is application/problem+json with a readable detail.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function parse(response) {
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    throw new ApiError(response.status, body);
  }
  return body;
}

export async function getJson(url, headers = {}) {
  return parse(await fetch(url, { headers: { Accept: 'application/json', ...headers } }));
}

export async function postJson(url, data, headers = {}) {
  return sendJson('POST', url, data, headers);
}

export async function sendJson(method, url, data, headers = {}) {
  return parse(await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: data === undefined ? undefined : JSON.stringify(data),
  }));
}

export async function postImage(url, file) {
  return parse(await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': file.type || 'image/jpeg', Accept: 'application/json' },
    body: file,
  }));
}

const LISTENER_KEY = 'affectune.listenerId';

/** A random RFC 4122 version-4 UUID (crypto.randomUUID needs a secure context; getRandomValues does not). */
export function newUuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * This browser's listener id: a random UUID made on first use and kept in localStorage (no account, no
 * personal data). Playlist-service learns this listener's taste from their likes and skips under it.
 */
export function listenerId() {
  let id = null;
  try {
    id = localStorage.getItem(LISTENER_KEY);
  } catch { /* storage disabled: a fresh id per page */ }
  if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    id = newUuid();
    try {
      localStorage.setItem(LISTENER_KEY, id);
    } catch { /* see above */ }
  }
  return id;
}

/** After "forget me": drop the old id, so the next request starts a new, unknown listener. */
export function resetListenerId() {
  try {
    localStorage.removeItem(LISTENER_KEY);
  } catch { /* see above */ }
  return listenerId();
}

export function listenerHeaders() {
  return { 'X-Listener-Id': listenerId() };
}

export function newSessionId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // randomUUID needs a secure context; a server-side source can run without one.
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function webSocketUrl(path) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}
