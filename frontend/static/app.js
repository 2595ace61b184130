// Options Desk UI: routes /signin and /options/{SYMBOL} in one page, no build step.

import { ApiError, Unauthorized, getJson, login } from "./api.js";
import * as fmt from "./format.js";
import { PositionsPanel } from "./positions.js";
import { clearSession, loadSession, redirectToSignIn, safeNext, saveSession } from "./session.js";

const $ = (id) => document.getElementById(id);
const SYMBOL_RE = /^[A-Z]{1,6}$/;
const WINDOW = 5;

// ---------------------------------------------------------------- sign-in

function showSignIn() {
  $("options-view").hidden = true;
  $("signin-view").hidden = false;
  document.title = "Sign in · Options Desk";
  const form = $("signin-form");
  const error = $("signin-error");
  const submit = $("signin-submit");
  $("username").focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const username = $("username").value.trim();
    const password = $("password").value;
    if (!username || !password) {
      showSignInError("Enter your username and password.");
      return;
    }
    submit.disabled = true;
    error.hidden = true;
    try {
      const answer = await login(username, password);
      saveSession(answer.access_token, username, answer.expires_in);
      const next = new URLSearchParams(location.search).get("next");
      location.assign(safeNext(next));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        showSignInError("Invalid username or password.");
      } else if (err instanceof ApiError) {
        showSignInError(`Sign-in failed (${err.status}). Try again.`);
      } else {
        showSignInError("Sign-in failed: the server cannot be reached.");
      }
      submit.disabled = false;
    }
  });

  function showSignInError(text) {
    error.textContent = text;
    error.hidden = false;
  }
}

// ---------------------------------------------------------------- options page

class OptionsPage {
  constructor() {
    this.symbol = null;
    this.expiration = null;
    this.data = null;
    this.seq = 0;
    this.controller = null;
    this.positions = new PositionsPanel(document.querySelector("section.positions"));

    $("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.search($("symbol").value);
    });
    $("symbol").addEventListener("input", () => this.setSymbolError(""));
    $("expiration").addEventListener("change", (event) => {
      this.load(this.symbol, event.target.value);
    });
    $("strikes").addEventListener("change", () => this.renderChain());
    $("retry").addEventListener("click", () => this.load(this.symbol, this.expiration));
    window.addEventListener("popstate", () => route());
  }

  show(symbol) {
    $("signin-view").hidden = true;
    $("options-view").hidden = false;
    if (!this.started) {
      this.started = true;
      this.positions.start();
    }
    if (symbol !== this.symbol) this.load(symbol, null);
  }

  search(raw) {
    const symbol = raw.trim().toUpperCase();
    if (!SYMBOL_RE.test(symbol)) {
      this.setSymbolError("Enter a symbol of 1 to 6 letters.");
      return;
    }
    this.setSymbolError("");
    $("symbol").value = "";
    const path = `/options/${symbol}`;
    if (location.pathname !== path) history.pushState({ symbol }, "", path);
    this.load(symbol, null);
  }

  setSymbolError(text) {
    const error = $("symbol-error");
    error.textContent = text;
    error.hidden = !text;
    if (text) $("symbol").setAttribute("aria-invalid", "true");
    else $("symbol").removeAttribute("aria-invalid");
  }

  async load(symbol, expiration) {
    const seq = ++this.seq;
    if (this.controller) this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    if (symbol !== this.symbol) this.clear();
    this.symbol = symbol;
    this.expiration = expiration;
    $("title").textContent = `${symbol} options`;
    document.title = `${symbol} options · Options Desk`;
    $("error-banner").hidden = true;
    $("no-options").hidden = true;
    $("invalid-symbol").hidden = true;
    this.setLoading(true);

    const query = expiration ? `?expiration=${encodeURIComponent(expiration)}` : "";
    try {
      const data = await getJson(`/api/options/chain/${encodeURIComponent(symbol)}${query}`, {
        signal: controller.signal,
      });
      if (seq !== this.seq) return;
      this.data = data;
      this.expiration = data.expiration;
      this.render();
    } catch (err) {
      if (seq !== this.seq || err.name === "AbortError" || err instanceof Unauthorized) return;
      this.showFailure(symbol, expiration, err);
    } finally {
      if (seq === this.seq) this.setLoading(false);
    }
  }

  setLoading(on) {
    $("loading").hidden = !on;
    $("chain").setAttribute("aria-busy", String(on));
  }

  clear() {
    this.data = null;
    $("chain").hidden = true;
    $("chain-body").replaceChildren();
    $("expiration").replaceChildren();
    $("underlying-price").textContent = fmt.MISSING;
    $("underlying-change").textContent = "";
  }

  showFailure(symbol, expiration, err) {
    if (err instanceof ApiError && err.status === 404) {
      this.clear();
      const text =
        err.code === "unknown_expiration" && expiration
          ? `No options exist for ${symbol} expiring ${expiration}`
          : `No options exist for ${symbol}`;
      $("no-options").textContent = text;
      $("no-options").hidden = false;
      return;
    }
    if (err instanceof ApiError && err.status === 422) {
      this.clear();
      $("invalid-symbol").textContent = `“${symbol}” is not a valid symbol`;
      $("invalid-symbol").hidden = false;
      return;
    }
    // 5xx, other 4xx and network errors: a banner with Retry; stale data is not left on show.
    $("chain").hidden = true;
    const reason =
      err instanceof ApiError
        ? `Could not load the ${symbol} options chain: ${err.message} (${err.status}).`
        : `Could not load the ${symbol} options chain: the server cannot be reached.`;
    $("error-message").textContent = reason;
    $("error-banner").hidden = false;
  }

  render() {
    const data = this.data;
    const underlying = data.underlying || {};
    $("underlying-price").textContent = fmt.price(underlying.last);
    const change = $("underlying-change");
    if (typeof underlying.change === "number") {
      change.textContent = `${underlying.change >= 0 ? "+" : ""}${fmt.price(underlying.change)}`;
      change.className = `num change ${underlying.change < 0 ? "neg" : "pos"}`;
    } else {
      change.textContent = "";
    }
    const picker = $("expiration");
    picker.replaceChildren(
      ...(data.expirations || []).map((date) => new Option(date, date, false, false)),
    );
    picker.value = data.expiration;
    this.renderChain();
  }

  renderChain() {
    const data = this.data;
    if (!data) return;
    const table = $("chain");
    const last = data.underlying ? data.underlying.last : null;
    const strikes = data.strikes || [];
    let shown = strikes;
    if ($("strikes").value !== "all") {
      const atm = atmIndex(strikes, data.atm_strike, last);
      shown = strikes.slice(Math.max(0, atm - WINDOW), atm + WINDOW + 1);
    }
    $("chain-body").replaceChildren(...shown.map((row) => chainRow(row, data.atm_strike, last)));
    table.dataset.symbol = data.symbol;
    table.dataset.expiration = data.expiration;
    table.hidden = false;
  }
}

function atmIndex(strikes, atmStrike, last) {
  const exact = strikes.findIndex((row) => row.strike === atmStrike);
  if (exact !== -1) return exact;
  let best = 0;
  strikes.forEach((row, i) => {
    if (Math.abs(row.strike - last) < Math.abs(strikes[best].strike - last)) best = i;
  });
  return best;
}

const CALL_CELLS = ["delta", "iv", "oi", "volume", "last", "bid", "ask"];
const PUT_CELLS = ["bid", "ask", "last", "volume", "oi", "iv", "delta"];

function formatCell(side, name) {
  if (!side) return fmt.MISSING;
  switch (name) {
    case "bid":
    case "ask":
    case "last":
      return fmt.price(side[name]);
    case "volume":
      return fmt.integer(side.volume);
    case "oi":
      return fmt.integer(side.open_interest);
    case "iv":
      return fmt.percent(side.iv);
    case "delta":
      return fmt.delta(side.delta);
    default:
      return fmt.MISSING;
  }
}

function chainRow(row, atmStrike, last) {
  const tr = document.createElement("tr");
  const hasLast = typeof last === "number";
  tr.dataset.testid = "chain-row";
  tr.dataset.strike = fmt.price(row.strike);
  tr.dataset.atm = String(row.strike === atmStrike);
  tr.dataset.callItm = String(hasLast && row.strike < last);
  tr.dataset.putItm = String(hasLast && row.strike > last);
  const cells = [];
  for (const name of CALL_CELLS) cells.push(td(`call-${name}`, formatCell(row.call, name), "num call"));
  const strike = document.createElement("th");
  strike.scope = "row";
  strike.dataset.testid = "strike";
  strike.className = "num strike";
  strike.textContent = fmt.price(row.strike);
  cells.push(strike);
  for (const name of PUT_CELLS) cells.push(td(`put-${name}`, formatCell(row.put, name), "num put"));
  tr.append(...cells);
  return tr;
}

function td(testid, text, className) {
  const cell = document.createElement("td");
  cell.dataset.testid = testid;
  cell.className = className;
  cell.textContent = text;
  return cell;
}

// ---------------------------------------------------------------- routing

let optionsPage = null;

function route() {
  const path = location.pathname;
  if (path === "/signin") {
    showSignIn();
    return;
  }
  const match = /^\/options\/([^/]+)$/.exec(path);
  if (!match) {
    location.replace("/options/SPY");
    return;
  }
  const session = loadSession();
  if (!session) {
    redirectToSignIn();
    return;
  }
  $("user-name").textContent = session.username;
  $("user").hidden = false;
  const symbol = decodeURIComponent(match[1]).toUpperCase();
  if (`/options/${symbol}` !== path && SYMBOL_RE.test(symbol)) {
    history.replaceState({ symbol }, "", `/options/${symbol}`);
  }
  optionsPage = optionsPage || new OptionsPage();
  optionsPage.show(symbol);
}

$("sign-out").addEventListener("click", () => {
  if (optionsPage) optionsPage.positions.stop();
  clearSession();
  location.assign("/signin");
});

route();
