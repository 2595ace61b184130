// The live positions panel: reads the backend's Server-Sent Events stream with fetch (EventSource
// cannot send the Authorization header, and the token must never go into a URL).

import { authHeaders, Unauthorized } from "./api.js";
import * as fmt from "./format.js";
import { redirectToSignIn } from "./session.js";

const MAX_BACKOFF_MS = 1000;
// The backend sends a heartbeat comment every 2 s; silence this long means the stream is dead.
const SILENCE_MS = 5000;

export class PositionsPanel {
  constructor(root) {
    this.status = root.querySelector("[data-testid=stream-status]");
    this.body = root.querySelector("#positions-body");
    this.empty = root.querySelector("#positions-empty");
    this.controller = null;
    this.retryTimer = null;
    this.silenceTimer = null;
    this.attempt = 0;
    this.received = 0;
    this.everLive = false;
    this.stopped = false;
    window.addEventListener("offline", () => this.drop());
    window.addEventListener("online", () => this.reconnectNow());
  }

  start() {
    this.stopped = false;
    this.setStatus("Connecting");
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.abort();
    clearTimeout(this.retryTimer);
  }

  setStatus(text) {
    this.status.textContent = text;
    this.status.dataset.state = text.toLowerCase();
  }

  abort() {
    clearTimeout(this.silenceTimer);
    if (this.controller) {
      this.controller.abort();
      this.controller = null;
    }
  }

  drop() {
    if (this.stopped) return;
    this.abort();
    this.setStatus("Reconnecting");
    this.scheduleRetry();
  }

  reconnectNow() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.abort();
    this.setStatus(this.everLive ? "Reconnecting" : "Connecting");
    this.connect();
  }

  scheduleRetry() {
    clearTimeout(this.retryTimer);
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.attempt);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      // While the browser says it is offline, a fetch can only fail; wait for "online" or the
      // next tick of the backoff.
      if (!navigator.onLine) {
        this.scheduleRetry();
        return;
      }
      this.connect();
    }, delay);
  }

  armSilenceTimer(controller) {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      if (this.controller === controller) this.drop();
    }, SILENCE_MS);
  }

  async connect() {
    if (this.stopped) return;
    this.abort();
    const controller = new AbortController();
    this.controller = controller;
    let headers;
    try {
      headers = authHeaders();
    } catch {
      redirectToSignIn();
      return;
    }
    try {
      const response = await fetch("/api/positions/stream", {
        headers: { ...headers, Accept: "text/event-stream" },
        signal: controller.signal,
        cache: "no-store",
      });
      if (response.status === 401) throw new Unauthorized("session expired");
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      this.armSilenceTimer(controller);
      await this.read(response.body, controller);
      if (this.controller === controller) throw new Error("stream ended");
    } catch (err) {
      if (err instanceof Unauthorized) {
        this.stop();
        redirectToSignIn();
        return;
      }
      if (this.controller !== controller) return; // superseded by drop() or a newer connect()
      this.controller = null;
      this.setStatus("Reconnecting");
      this.scheduleRetry();
    }
  }

  async read(stream, controller) {
    const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser((event, data) => this.onEvent(event, data));
    while (true) {
      const { value, done } = await reader.read();
      if (done || this.controller !== controller) return;
      this.armSilenceTimer(controller);
      // Heartbeats change nothing on screen; this count lets a check see the stream is alive.
      this.received += 1;
      this.status.dataset.received = String(this.received);
      parser.push(value);
    }
  }

  onEvent(event, data) {
    if (event !== "positions") return;
    let payload;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    this.attempt = 0;
    this.everLive = true;
    this.setStatus("Live");
    this.render(payload.positions || []);
  }

  render(positions) {
    const rows = positions.map((p) => {
      const tr = document.createElement("tr");
      tr.dataset.testid = "position-row";
      tr.dataset.symbol = p.symbol;
      tr.append(
        cell("position-symbol", p.symbol, "sym"),
        cell("position-qty", fmt.integer(p.quantity), "num"),
        cell("position-mark", fmt.price(p.mark), "num"),
        cell("position-pnl", fmt.pnl(p.pnl), `num ${p.pnl < 0 ? "neg" : p.pnl > 0 ? "pos" : ""}`),
      );
      return tr;
    });
    this.body.replaceChildren(...rows);
    this.empty.hidden = positions.length > 0;
  }
}

function cell(testid, text, className) {
  const td = document.createElement("td");
  td.dataset.testid = testid;
  td.className = className;
  td.textContent = text;
  return td;
}

// A minimal text/event-stream parser: "event:" and "data:" fields, blank line dispatches,
// ":" comments (heartbeats) ignored.
export class SseParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = "";
    this.event = "";
    this.data = [];
  }

  push(text) {
    this.buffer += text;
    // A chunk may end between the "\r" and "\n" of one line ending: keep the "\r" for later.
    let held = "";
    if (this.buffer.endsWith("\r")) {
      held = "\r";
      this.buffer = this.buffer.slice(0, -1);
    }
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() + held;
    for (const line of lines) this.line(line);
  }

  line(line) {
    if (line === "") {
      if (this.data.length) this.onEvent(this.event || "message", this.data.join("\n"));
      this.event = "";
      this.data = [];
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
  }
}
