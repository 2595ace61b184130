// The session lives in localStorage["desk.session"] = {token, username, expires_at (ms epoch)},
// so a Playwright storage state can carry it.

const KEY = "desk.session";

export function loadSession() {
  try {
    const session = JSON.parse(localStorage.getItem(KEY) || "null");
    if (!session || typeof session.token !== "string") return null;
    if (typeof session.expires_at !== "number" || session.expires_at <= Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

export function saveSession(token, username, expiresInSeconds) {
  const session = { token, username, expires_at: Date.now() + expiresInSeconds * 1000 };
  localStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export function clearSession() {
  localStorage.removeItem(KEY);
}

// Only same-origin paths are accepted as a redirect target.
export function safeNext(next) {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//")) {
    return "/options/SPY";
  }
  if (next.startsWith("/signin")) return "/options/SPY";
  return next;
}

export function redirectToSignIn() {
  clearSession();
  const here = location.pathname + location.search;
  location.replace(`/signin?next=${encodeURIComponent(safeNext(here))}`);
}
