// The Options Desk frontend served by Node, the way a team without Python serves its UI: the static
// files of ../../frontend/static, the SPA routes, /healthz, and an allowlisting /api proxy that
// streams Server-Sent Events unbuffered (the same contract as frontend/proxy.py, docs/CONTRACTS.md
// section 4). Node's standard library only.
//
//   node examples/plain-stack/frontend.js --port 3000 --backend-url http://127.0.0.1:8001 \
//       [--host 127.0.0.1] [--static-dir frontend/static] [--backend-timeout 15]
//
// Logs are plain text lines on stdout: "<ISO time> <METHOD> <path> <status> <ms>ms" per answer
// (path without its query; a stream when it ends); failures on stderr with their stack trace.

"use strict";

const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");

const VERSION = "1.4.0-node";
const SEGMENT = "[^/]+";
const ALLOWLIST = [
  { method: "GET", pattern: /^\/api\/health$/ },
  { method: "GET", pattern: new RegExp(`^/api/options/expirations/${SEGMENT}$`) },
  { method: "GET", pattern: new RegExp(`^/api/options/chain/${SEGMENT}$`) },
  { method: "GET", pattern: /^\/api\/positions$/ },
  { method: "GET", pattern: /^\/api\/positions\/stream$/, streamed: true },
  { method: "POST", pattern: /^\/api\/auth\/login$/ },
];
const REQUEST_HEADERS = ["authorization", "content-type", "accept", "last-event-id"];
const RESPONSE_HEADERS = ["content-type", "cache-control", "www-authenticate", "retry-after"];
const CONNECT_TIMEOUT_MS = 3000;
// A stream has a heartbeat every 2 s, so silence this long means the backend is gone.
const STREAM_READ_TIMEOUT_MS = 30000;
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; " +
    "frame-ancestors 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};
const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

function parseArgs(argv) {
  const options = {
    port: 3000,
    host: "127.0.0.1",
    backendUrl: process.env.BACKEND_URL || "",
    staticDir: path.join(__dirname, "..", "..", "frontend", "static"),
    backendTimeoutS: Number(process.env.BACKEND_TIMEOUT_S || 15),
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (value === undefined) fail(`${name} needs a value`);
    if (name === "--port") options.port = Number(value);
    else if (name === "--host") options.host = value;
    else if (name === "--backend-url") options.backendUrl = value;
    else if (name === "--static-dir") options.staticDir = path.resolve(value);
    else if (name === "--backend-timeout") options.backendTimeoutS = Number(value);
    else fail(`unknown option ${name}`);
  }
  if (!options.backendUrl) fail("no backend URL: pass --backend-url URL or set BACKEND_URL");
  if (!/^https?:\/\//.test(options.backendUrl)) {
    fail(`--backend-url must be an http(s) URL: ${options.backendUrl}`);
  }
  options.backend = new URL(options.backendUrl.replace(/\/+$/, ""));
  return options;
}

function fail(message) {
  process.stderr.write(`frontend: ${message}\n`);
  process.exit(2);
}

function logAnswer(req, status, started) {
  const pathname = req.url.split("?", 1)[0];
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(
    `${new Date().toISOString()} ${req.method} ${pathname} ${status} ${ms.toFixed(1)}ms\n`,
  );
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  res.end(body);
}

function sendError(res, status, detail, code, headers = {}) {
  send(res, status, JSON.stringify({ detail, code }), {
    "content-type": "application/json",
    ...headers,
  });
}

function serveFile(res, file, extraHeaders = {}) {
  fs.readFile(file, (err, data) => {
    if (err) {
      send(res, 404, "Not Found", { "content-type": "text/plain; charset=utf-8" });
      return;
    }
    const type = CONTENT_TYPES[path.extname(file)] || "application/octet-stream";
    send(res, 200, data, { "content-type": type, ...extraHeaders });
  });
}

function serveStatic(res, staticDir, pathname) {
  let relative;
  try {
    relative = decodeURIComponent(pathname.slice("/static/".length));
  } catch {
    send(res, 404, "Not Found", { "content-type": "text/plain; charset=utf-8" });
    return;
  }
  const file = path.resolve(staticDir, relative);
  if (!file.startsWith(staticDir + path.sep)) {
    send(res, 404, "Not Found", { "content-type": "text/plain; charset=utf-8" });
    return;
  }
  serveFile(res, file);
}

function proxy(req, res, options, pathname, search) {
  const allowed = ALLOWLIST.filter((r) => r.pattern.test(pathname)).map((r) => r.method);
  const route = ALLOWLIST.find((r) => r.method === req.method && r.pattern.test(pathname));
  if (!route) {
    if (allowed.length) {
      sendError(res, 405, "Method not allowed", "method_not_allowed", {
        allow: allowed.join(", "),
      });
    } else {
      sendError(res, 404, "Not found", "not_found");
    }
    return;
  }
  const headers = { "accept-encoding": "identity" };
  for (const name of REQUEST_HEADERS) {
    if (req.headers[name] !== undefined) headers[name] = req.headers[name];
  }
  const backend = options.backend;
  const upstream = http.request({
    protocol: backend.protocol,
    hostname: backend.hostname,
    port: backend.port,
    method: route.method,
    path: `${backend.pathname.replace(/\/$/, "")}${pathname}${search}`,
    headers,
  });
  let answered = false;
  const readTimeoutMs = route.streamed ? STREAM_READ_TIMEOUT_MS : options.backendTimeoutS * 1000;
  const connectTimer = setTimeout(() => upstream.destroy(new Error("connect timeout")), Math.min(
    CONNECT_TIMEOUT_MS,
    readTimeoutMs,
  ));
  upstream.on("socket", (socket) => {
    socket.setNoDelay(true);
    socket.once("connect", () => clearTimeout(connectTimer));
  });
  upstream.setTimeout(readTimeoutMs, () => upstream.destroy(new Error("read timeout")));
  upstream.on("response", (answer) => {
    answered = true;
    clearTimeout(connectTimer);
    const out = { ...SECURITY_HEADERS };
    for (const name of RESPONSE_HEADERS) {
      if (answer.headers[name] !== undefined) out[name] = answer.headers[name];
    }
    if (route.streamed) out["x-accel-buffering"] = "no";
    res.writeHead(answer.statusCode, out);
    res.flushHeaders();
    // Each chunk is written as it arrives: Server-Sent Events reach the browser unbuffered.
    answer.on("data", (chunk) => res.write(chunk));
    answer.on("end", () => res.end());
    answer.on("error", () => res.end());
    answer.on("aborted", () => res.end());
  });
  upstream.on("error", (err) => {
    clearTimeout(connectTimer);
    if (answered) {
      // The status line is sent; ending the body is all that is left (the browser reconnects).
      res.end();
    } else if (err.message === "connect timeout" || err.message === "read timeout") {
      sendError(res, 504, "The backend did not answer in time", "backend_timeout");
    } else {
      sendError(res, 502, "The backend is unreachable", "backend_unreachable");
    }
  });
  res.on("close", () => upstream.destroy());
  if (route.method === "POST") req.pipe(upstream);
  else upstream.end();
}

function handler(options) {
  const index = path.join(options.staticDir, "index.html");
  return (req, res) => {
    const started = process.hrtime.bigint();
    res.on("close", () => logAnswer(req, res.statusCode, started));
    try {
      const [pathname, query] = req.url.split("?", 2);
      const search = query === undefined ? "" : `?${query}`;
      if (pathname.startsWith("/api/")) {
        proxy(req, res, options, pathname, search);
      } else if (req.method !== "GET" && req.method !== "HEAD") {
        send(res, 405, "Method Not Allowed", { "content-type": "text/plain; charset=utf-8" });
      } else if (pathname === "/") {
        send(res, 307, "", { location: "/options/SPY" });
      } else if (pathname === "/healthz") {
        const body = { status: "ok", version: VERSION, pid: process.pid };
        send(res, 200, JSON.stringify(body), { "content-type": "application/json" });
      } else if (pathname === "/signin" || /^\/options\/[^/]+$/.test(pathname)) {
        serveFile(res, index, { "cache-control": "no-store" });
      } else if (pathname.startsWith("/static/")) {
        serveStatic(res, options.staticDir, pathname);
      } else {
        send(res, 404, "Not Found", { "content-type": "text/plain; charset=utf-8" });
      }
    } catch (err) {
      process.stderr.write(`${new Date().toISOString()} ERROR ${req.method} request failed\n`);
      process.stderr.write(`${err.stack}\n`);
      if (!res.headersSent) sendError(res, 500, "internal server error", "internal_error");
      else res.end();
    }
  };
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const server = http.createServer(handler(options));
  server.on("error", (err) => {
    process.stderr.write(`frontend: cannot listen on ${options.host}:${options.port}: ${err.message}\n`);
    process.exit(1);
  });
  server.listen(options.port, options.host, () => {
    process.stdout.write(
      `${new Date().toISOString()} listening on http://${options.host}:${options.port} ` +
        `(pid ${process.pid}, backend ${options.backend.origin})\n`,
    );
  });
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      server.close();
      server.closeAllConnections();
      process.exit(0);
    });
  }
}

process.on("uncaughtException", (err) => {
  process.stderr.write(`${new Date().toISOString()} FATAL uncaught exception\n${err.stack}\n`);
  process.exit(1);
});

main();
