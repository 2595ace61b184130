// Calls to the backend through the frontend's /api proxy. Every call carries the bearer token;
// a 401 ends the session and goes to sign-in.

import { loadSession, redirectToSignIn } from "./session.js";

export class ApiError extends Error {
  constructor(status, detail, code) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

export class Unauthorized extends Error {}

export function authHeaders() {
  const session = loadSession();
  if (!session) throw new Unauthorized("no session");
  return { Authorization: `Bearer ${session.token}` };
}

export async function getJson(path, { signal } = {}) {
  let headers;
  try {
    headers = authHeaders();
  } catch (err) {
    redirectToSignIn();
    throw err;
  }
  const response = await fetch(path, { headers: { ...headers, Accept: "application/json" }, signal });
  if (response.status === 401) {
    redirectToSignIn();
    throw new Unauthorized("session expired");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, body && body.detail, body && body.code);
  }
  return body;
}

export async function login(username, password) {
  const response = await fetch("/api/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ username, password }),
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(response.status, body && body.detail, body && body.code);
  return body;
}
