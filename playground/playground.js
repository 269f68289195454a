// The playground: accounts, HTTP requests and Socket.IO clients side by side,
// against the lesson server that served this page. Plain JavaScript, no build
// step; `io` comes from the vendored official bundle. Everything the server
// or the user typed is shown with textContent, never parsed as HTML.
"use strict";

const ACK_TIMEOUT_MS = 10000;
const DEFAULT_PRESET = {
  title: "Any lesson",
  summary: "",
  login: ["token"],
  namespaces: ["/"],
  auth: "token",
  customAuth: { token: "not-a-jwt" },
  events: [{ name: "whoami", ack: true }],
  http: [],
};

const state = {
  preset: DEFAULT_PRESET,
  users: new Map(), // name -> {name, id, role, token, refreshToken, exp}
  session: null, // who the session cookie is for, as far as this page knows
  clients: [],
  nextClient: 1,
};

// ---- small helpers -------------------------------------------------------

const $ = (selector, root = document) => root.querySelector(selector);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
}

function clock(date = new Date()) {
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** JSON for a log line; long tokens shortened (the table copies them whole). */
function show(value) {
  if (value === undefined) return "";
  const shorten = (key, v) => (/token$/i.test(key) && typeof v === "string" && v.length > 24 ? `${v.slice(0, 16)}…(${v.length} chars)` : v);
  const compact = JSON.stringify(value, shorten);
  return compact.length <= 72 ? compact : JSON.stringify(value, shorten, 2);
}

/** Appends a line to a log: time, a direction mark, a name, optional JSON. */
function log(list, { kind, dir, name, extra, data }) {
  const item = el("li", { class: kind },
    el("span", { class: "time", textContent: clock() }),
    el("span", { class: "dir", textContent: dir }),
    el("span", { class: "name", textContent: name },
      extra ? el("span", { class: "extra", textContent: ` ${extra}` }) : ""));
  if (data !== undefined) item.append(el("pre", { textContent: show(data) }));
  list.append(item);
  list.scrollTop = list.scrollHeight;
  return item;
}

/** What a token says about itself, for display only: the server verifies. */
function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part));
  } catch {
    return {};
  }
}

/**
 * Fills `{{id}}`, `{{name}}`, `{{token}}`, `{{refreshToken}}` with the
 * current user's values, and `{{id:bob}}` and the like with another
 * logged-in user's.
 */
function fill(text, current) {
  return text.replace(/\{\{(id|name|token|refreshToken)(?::([^}]+))?\}\}/g, (_, field, who) => {
    const user = who ? state.users.get(who) : current;
    if (!user) throw new Error(who ? `{{${field}:${who}}}: ${who} has not logged in` : `{{${field}}}: no user (log in, or pick one)`);
    return user[field] ?? "";
  });
}

/** A textarea's JSON: `undefined` when empty, or an Error to show. */
function parseJson(text, current) {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(fill(text, current));
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function newestUser() {
  return [...state.users.values()].at(-1);
}

// ---- HTTP ----------------------------------------------------------------

const httpLog = () => $("#http-log");

async function request(method, path, body, { bearer } = {}) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  // Passwords stay out of the log.
  const shown = body && typeof body === "object" && "password" in body ? { ...body, password: "•••" } : body;
  log(httpLog(), { kind: "out", dir: "→", name: `${method} ${path}`, extra: bearer ? "(bearer)" : "", data: shown });
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    log(httpLog(), { kind: "bad", dir: "✖", name: `${method} ${path}`, extra: e.message });
    return { status: 0, body: null };
  }
  const text = await response.text();
  let parsed = text;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON: show the text */ }
  log(httpLog(), { kind: response.ok ? "ok" : "bad", dir: "←", name: `${response.status}`, extra: `${method} ${path}`, data: parsed });
  return { status: response.status, body: parsed };
}

function remember(name, body) {
  const previous = state.users.get(name) ?? {};
  const c = claims(body.token);
  state.users.delete(name); // the newest login goes last
  state.users.set(name, {
    ...previous,
    name,
    id: c.id ?? previous.id,
    role: c.role ?? previous.role,
    exp: c.exp,
    token: body.token,
    refreshToken: body.refreshToken ?? previous.refreshToken,
  });
  renderUsers();
}

async function account(action) {
  const form = $("#account-form");
  const username = form.username.value.trim();
  const password = form.password.value;
  const email = form.email.value.trim() || `${username}@example.com`;
  if (action === "register") {
    await request("POST", "/auth/register", { username, email, password });
  } else if (action === "login") {
    const { status, body } = await request("POST", "/auth/login", { username, password });
    if (status === 200 && typeof body?.token === "string") remember(username, body);
  } else if (action === "session-login") {
    const { status } = await request("POST", "/session/login", { username, password });
    if (status === 200) state.session = username;
    renderUsers();
  } else if (action === "session-logout") {
    const { status } = await request("POST", "/session/logout", {});
    if (status === 200) state.session = null;
    renderUsers();
  }
}

function renderUsers() {
  const body = $("#users tbody");
  body.replaceChildren();
  for (const user of state.users.values()) {
    const expires = el("td", { class: "exp", textContent: user.exp ? clock(new Date(user.exp * 1000)).slice(0, 8) : "?" });
    expires.dataset.exp = user.exp ?? "";
    body.append(el("tr", { dataset: { user: user.name } },
      el("td", { title: `id ${user.id}` }, el("strong", { textContent: user.name })),
      el("td", { textContent: user.role ?? "?" }),
      expires,
      el("td", {},
        el("button", { class: "link", textContent: "copy token", title: "Copy the access token",
          onclick: () => navigator.clipboard?.writeText(user.token) }))));
  }
  $("#users").hidden = state.users.size === 0;
  $("#no-users").hidden = state.users.size !== 0 || Boolean(state.session);
  $("#session").hidden = !state.session;
  $("#session-user").textContent = state.session ?? "";
  markExpired();
  const as = $("#http-form").as;
  const chosen = as.value;
  as.replaceChildren(el("option", { value: "", textContent: "nobody" }),
    ...[...state.users.keys()].map((name) => el("option", { value: name, textContent: name })));
  as.value = state.users.has(chosen) ? chosen : "";
  for (const client of state.clients) client.renderAuth();
}

function markExpired() {
  const now = Date.now() / 1000;
  for (const cell of document.querySelectorAll("#users td.exp")) {
    cell.classList.toggle("expired", cell.dataset.exp !== "" && Number(cell.dataset.exp) <= now);
  }
}

async function sendHttp(event) {
  event.preventDefault();
  const form = $("#http-form");
  const asUser = state.users.get(form.as.value);
  const current = asUser ?? newestUser();
  let body;
  try {
    body = parseJson(form.body.value, current);
  } catch (e) {
    body = e;
  }
  let path = form.path.value.trim();
  try {
    path = fill(path, current);
  } catch (e) {
    body = e;
  }
  if (body instanceof Error) {
    log(httpLog(), { kind: "bad", dir: "✖", name: "not sent", extra: body.message });
    return;
  }
  const { body: answer } = await request(form.method.value, path, body, { bearer: asUser?.token });
  // A refresh answers a new pair: keep it for the user it was asked for.
  if (current && typeof answer?.token === "string" && typeof answer?.refreshToken === "string") {
    remember(current.name, answer);
  }
}

// ---- clients -------------------------------------------------------------

class Client {
  constructor(settings = {}) {
    this.number = state.nextClient++;
    this.socket = null;
    this.node = $("#client-template").content.firstElementChild.cloneNode(true);
    this.node.dataset.client = String(this.number);
    this.part("title").textContent = `Client ${this.number}`;
    this.part("namespace").value = settings.namespace ?? state.preset.namespaces?.[0] ?? "/";
    this.part("transport").value = settings.transport ?? "";
    this.part("custom").value = settings.custom ?? JSON.stringify(state.preset.customAuth ?? {});
    this.wanted = settings.auth ?? this.defaultAuth();
    this.renderAuth();
    this.renderPresets();

    this.part("auth").addEventListener("change", () => {
      this.wanted = this.part("auth").value;
      this.renderAuth();
    });
    this.part("connect").addEventListener("click", () => this.connect());
    this.part("disconnect").addEventListener("click", () => this.disconnect());
    this.part("emit").addEventListener("click", () => this.emit());
    this.part("clear").addEventListener("click", () => this.part("log").replaceChildren());
    this.part("remove").addEventListener("click", () => this.remove());
    this.part("duplicate").addEventListener("click", () => addClient(this.settings()));
    this.part("payload").addEventListener("input", () => { this.part("payload-error").hidden = true; });
    this.part("event").addEventListener("keydown", (e) => { if (e.key === "Enter") this.emit(); });
  }

  part(role) {
    return $(`[data-role="${role}"]`, this.node);
  }

  settings() {
    return {
      namespace: this.part("namespace").value,
      transport: this.part("transport").value,
      auth: this.wanted,
      custom: this.part("custom").value,
    };
  }

  /** A token client takes a user that no other client uses yet, if any. */
  defaultAuth() {
    const mode = state.preset.auth ?? "token";
    if (mode !== "token") return mode;
    const taken = new Set(state.clients.map((c) => c.wanted));
    const free = [...state.users.keys()].find((name) => !taken.has(`token:${name}`));
    const name = free ?? newestUser()?.name;
    return name ? `token:${name}` : "token:";
  }

  renderAuth() {
    const select = this.part("auth");
    if (this.wanted === "token:" && state.users.size > 0) this.wanted = this.defaultAuth();
    const options = [...state.users.keys()].map((name) => el("option", { value: `token:${name}`, textContent: `token of ${name}` }));
    if (state.users.size === 0) options.push(el("option", { value: "token:", textContent: "token (log in first)", disabled: true }));
    options.push(
      el("option", { value: "custom", textContent: "hand-written auth (JSON)" }),
      el("option", { value: "none", textContent: "no auth (the browser still sends its cookies)" }));
    select.replaceChildren(...options);
    select.value = this.wanted;
    this.part("custom-wrap").hidden = this.wanted !== "custom";
  }

  renderPresets() {
    const chips = this.part("presets");
    chips.replaceChildren(...(state.preset.events ?? []).map((preset) => el("button", {
      type: "button",
      textContent: preset.label ?? preset.name,
      title: preset.note ?? "",
      onclick: () => {
        this.part("event").value = preset.name;
        this.part("payload").value = preset.payload === undefined ? "" : JSON.stringify(preset.payload);
        this.part("ack").checked = preset.ack !== false;
        this.part("payload-error").hidden = true;
      },
    })));
    const first = state.preset.events?.[0];
    if (first) chips.firstElementChild.click();
  }

  user() {
    return this.wanted.startsWith("token:") ? state.users.get(this.wanted.slice(6)) : undefined;
  }

  log(entry) {
    return log(this.part("log"), entry);
  }

  setStatus(kind, text) {
    const status = this.part("status");
    status.className = `status ${kind}`;
    status.textContent = text;
    const connected = kind === "connected";
    this.part("emit").disabled = !connected;
    this.part("disconnect").disabled = !this.socket;
    this.part("connect").disabled = kind === "connecting" || connected;
  }

  handshakeAuth() {
    if (this.wanted === "none") return undefined;
    if (this.wanted === "custom") {
      const auth = parseJson(this.part("custom").value, newestUser());
      if (auth instanceof Error) throw new Error(`auth: ${auth.message}`);
      return auth;
    }
    const user = this.user();
    if (!user) throw new Error("log in first, or pick another kind of auth");
    return { token: user.token };
  }

  connect() {
    this.disconnect(true);
    this.part("refusal").hidden = true;
    let auth;
    try {
      auth = this.handshakeAuth();
    } catch (e) {
      this.log({ kind: "bad", dir: "✖", name: "not connected", extra: e.message });
      return;
    }
    const namespace = this.part("namespace").value.trim() || "/";
    const transport = this.part("transport").value;
    const options = { forceNew: true, reconnection: false, withCredentials: true };
    if (auth !== undefined) options.auth = auth;
    if (transport) options.transports = [transport];
    const socket = io(location.origin + (namespace.startsWith("/") ? namespace : `/${namespace}`), options);
    this.socket = socket;
    const who = this.wanted.startsWith("token:") ? `as ${this.wanted.slice(6)}` : this.wanted === "custom" ? "with hand-written auth" : "with no auth";
    this.log({ kind: "info", dir: "…", name: "connecting", extra: `to ${namespace} ${who}`, data: auth && this.wanted === "custom" ? auth : undefined });
    this.setStatus("connecting", "connecting");

    socket.on("connect", () => {
      const transportName = () => socket.io.engine?.transport?.name ?? "";
      this.setStatus("connected", `connected · ${transportName()}`);
      this.log({ kind: "ok", dir: "●", name: "connect", extra: `id ${socket.id}` });
      socket.io.engine?.on("upgrade", () => this.setStatus("connected", `connected · ${transportName()}`));
    });
    socket.on("connect_error", (err) => this.refused(err));
    socket.on("disconnect", (reason, details) => {
      const extra = reason === "io server disconnect" ? `${reason} (the server let go of this socket)` : reason;
      this.log({ kind: "info", dir: "○", name: "disconnect", extra, data: details?.description ? String(details.description) : undefined });
      this.setStatus("", "disconnected");
    });
    socket.onAny((event, ...args) => {
      const asks = typeof args.at(-1) === "function";
      if (asks) args.pop();
      this.log({ kind: "in", dir: "←", name: event, extra: asks ? "(asks for an ack; none sent)" : "", data: args.length <= 1 ? args[0] : args });
    });
  }

  /**
   * `connect_error`: the message, and, where the message is itself a JSON
   * document `{message, data}` (lesson 03), its parts.
   */
  refused(err) {
    let message = err.message;
    let type;
    let data = err.data;
    try {
      const doc = JSON.parse(err.message);
      if (doc && typeof doc === "object" && typeof doc.message === "string") {
        message = doc.message;
        data = doc.data ?? data;
      }
    } catch { /* a plain message */ }
    if (data && typeof data === "object" && typeof data.type === "string") type = data.type;
    this.part("refusal-message").textContent = message;
    const typeNode = this.part("refusal-type");
    typeNode.textContent = type ? `data.type ${type}` : "";
    typeNode.hidden = !type;
    this.part("refusal").hidden = false;
    this.log({ kind: "bad", dir: "✖", name: "connect_error", extra: message, data });
    this.socket?.close();
    this.socket = null;
    this.setStatus("refused", "refused");
  }

  emit() {
    const socket = this.socket;
    if (!socket?.connected) return;
    const event = this.part("event").value.trim();
    if (!event) return;
    const payload = parseJson(this.part("payload").value, this.user() ?? newestUser());
    if (payload instanceof Error) {
      const error = this.part("payload-error");
      error.textContent = payload.message;
      error.hidden = false;
      return;
    }
    const args = payload === undefined ? [] : [payload];
    const ack = this.part("ack").checked;
    this.log({ kind: "out", dir: "→", name: event, extra: ack ? "(ack asked)" : "", data: payload });
    if (!ack) {
      socket.emit(event, ...args);
      return;
    }
    const sent = performance.now();
    socket.timeout(ACK_TIMEOUT_MS).emit(event, ...args, (err, ...answer) => {
      const ms = Math.round(performance.now() - sent);
      if (err) {
        this.log({ kind: "bad", dir: "↩", name: `ack ${event}`, extra: `none within ${ACK_TIMEOUT_MS / 1000} s` });
      } else {
        this.log({ kind: "ack", dir: "↩", name: `ack ${event}`, extra: `${ms} ms`, data: answer.length <= 1 ? answer[0] ?? null : answer });
      }
    });
  }

  disconnect(quiet = false) {
    if (!this.socket) return;
    const socket = this.socket;
    this.socket = null;
    socket.removeAllListeners();
    socket.offAny();
    socket.close();
    if (!quiet) this.log({ kind: "info", dir: "○", name: "disconnect", extra: "closed from this page" });
    this.setStatus("", "disconnected");
  }

  remove() {
    this.disconnect(true);
    state.clients = state.clients.filter((c) => c !== this);
    this.node.remove();
  }
}

function addClient(settings) {
  const client = new Client(settings);
  state.clients.push(client);
  $("#clients").append(client.node);
  return client;
}

// ---- start ---------------------------------------------------------------

function applyPreset(info) {
  const preset = { ...DEFAULT_PRESET, ...(info.preset ?? {}) };
  state.preset = preset;
  $("#lesson").textContent = info.lesson ? `lesson ${info.lesson} · ${preset.title}` : preset.title;
  $("#summary").textContent = preset.summary ?? "";
  $("#client-version").textContent = info.client?.version ?? "?";
  document.title = info.lesson ? `Playground · ${info.lesson}` : "Socket.IO playground";
  const login = new Set(preset.login ?? []);
  $('[data-action="login"]').hidden = !login.has("token") && login.has("session");
  for (const action of ["session-login", "session-logout"]) $(`[data-action="${action}"]`).hidden = !login.has("session");
  $("#namespaces").replaceChildren(...(preset.namespaces ?? ["/"]).map((ns) => el("option", { value: ns })));
  const form = $("#http-form");
  const chips = $("#http-presets");
  chips.replaceChildren(...(preset.http ?? []).map((h) => el("button", {
    type: "button",
    textContent: `${h.method} ${h.path}`,
    title: h.note ?? "",
    onclick: () => {
      form.method.value = h.method;
      form.path.value = h.path;
      form.body.value = h.body === undefined ? "" : JSON.stringify(h.body);
    },
  })));
  chips.firstElementChild?.click();
}

async function start() {
  $("#origin").textContent = location.origin;
  let info = {};
  try {
    const response = await fetch("/playground/lesson.json");
    info = await response.json();
  } catch {
    info = { preset: DEFAULT_PRESET };
  }
  applyPreset(info);
  for (const button of document.querySelectorAll("#account-form [data-action]")) {
    button.addEventListener("click", () => account(button.dataset.action));
  }
  $("#account-form").addEventListener("submit", (e) => { e.preventDefault(); account("login"); });
  $("#http-form").addEventListener("submit", sendHttp);
  $("#add-client").addEventListener("click", () => addClient());
  renderUsers();
  addClient();
  setInterval(markExpired, 1000);
  document.body.dataset.ready = "true";
}

start();
