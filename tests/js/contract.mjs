// The lesson servers, seen by the official JavaScript client: the contract
// (book/src/appendix-contract.md, "What each lesson's server does") says what a browser or
// Node.js client sees, and this proves it for every reference solution
// (lesson 11 across two servers when REDIS_URL is set).
//
// Usage: node contract.mjs [target dir]   (servers must already be built)
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { io, Manager } from "socket.io-client";

const target = process.argv[2] ?? new URL("../../target/debug/", import.meta.url).pathname;
const results = { passed: 0, failed: 0 };

async function check(name, body) {
  try {
    await body();
    results.passed++;
    console.log(`ok      ${name}`);
  } catch (e) {
    results.failed++;
    console.log(`FAILED  ${name}: ${e.message}`);
  }
}

function assertEqual(actual, expected, what) {
  const [a, b] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== b) throw new Error(`${what}: expected ${b}, got ${a}`);
}

let servers = 0;

/**
 * Starts a server binary on a free port and resolves to its base URL. With
 * MONGODB_URI set, each server gets a database of its own: two servers
 * sharing one would see each other's users ("ada" already registered).
 */
async function serve(binary, env = {}) {
  const database = `contract-${process.pid}-${++servers}`;
  const child = spawn(`${target}${binary}`, [], {
    // Errors only on stderr, so the summary stays the last line printed.
    env: { ...process.env, MONGODB_DB: database, PORT: "0", BCRYPT_COST: "4", RUST_LOG: "error", JWT_SECRET: "contract-check-secret-of-32-bytes-or-more", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // Every line after "listening on" is kept: lesson 06's log is its output.
  const output = [];
  const timer = setTimeout(() => child.kill(), 20000);
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const match = line.match(/^listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]);
      else output.push(line);
    });
    lines.on("close", () => reject(new Error(`${binary} exited before listening`)));
  });
  clearTimeout(timer);
  return { url, output, stop: () => child.kill("SIGTERM") };
}

/** Connects and resolves to the first of: connect_error, or `event`. */
function attempt(url, options, event = "connect") {
  return new Promise((resolve) => {
    const socket = io(url, { reconnection: false, forceNew: true, ...options });
    const finish = (outcome) => {
      clearTimeout(timer);
      resolve({ ...outcome, socket });
    };
    const timer = setTimeout(() => finish({ timeout: true }), 5000);
    socket.on("connect_error", (err) => finish({ error: err.message, data: err.data }));
    socket.on(event, (data) => finish({ [event]: data ?? true }));
  });
}

async function json(url, path, body, token) {
  const response = await fetch(url + path, {
    method: body ? "POST" : "GET",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json() };
}

const PASSWORD = "correct horse battery staple";

/** Registers and logs in: the login's answer, with the new user's id. */
async function login(url, username) {
  const created = await json(url, "/auth/register", { username, email: `${username}@example.com`, password: PASSWORD });
  return { ...(await json(url, "/auth/login", { username, password: PASSWORD })).body, id: created.body.id };
}

/** The administrator that ADMIN_PASSWORD creates at start-up. */
async function loginAdmin(url) {
  return (await json(url, "/auth/login", { username: "admin", password: PASSWORD })).body;
}

/** The first `event` on `socket` (its first argument), or an error after 5 s. */
function next(socket, event) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within 5 s`)), 5000);
    socket.once(event, (data) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

/** Connects `socket` (made with autoConnect: false); fails with the server's reason. */
async function connected(socket) {
  const outcome = new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", (err) => reject(new Error(`connect_error ${err.message}`)));
  });
  socket.connect();
  await outcome;
  return socket;
}

const lessons = {
  "basic-middleware-solution": async (url) => {
    await check("01: no token is refused with Authentication required", async () => {
      const { error, socket } = await attempt(url, {});
      socket.close();
      assertEqual(error, "Authentication required", "connect_error");
    });
    await check("01: a token is welcomed with the socket id", async () => {
      const { welcome, socket } = await attempt(url, { auth: { token: "abc" } }, "welcome");
      const id = socket.id;
      socket.close();
      assertEqual(welcome?.id, id, "welcome.id");
    });
    await check("01: websocket transport, empty token refused", async () => {
      const { error, socket } = await attempt(url, { transports: ["websocket"], auth: { token: "" } });
      socket.close();
      assertEqual(error, "Authentication required", "connect_error");
    });
    await check("01: /stats counts the attempts", async () => {
      assertEqual((await json(url, "/stats")).body, { attempts: 3, accepted: 1, rejected: 2 }, "stats");
    });
  },
  "jwt-auth-solution": async (url) => {
    const ada = await login(url, "ada");
    const bob = await login(url, "bob");
    await check("02: no token is refused with Authentication required", async () => {
      const { error, socket } = await attempt(url, {});
      socket.close();
      assertEqual(error, "Authentication required", "connect_error");
    });
    await check("02: a token in the query string is not read", async () => {
      const { error, socket } = await attempt(url, { query: { token: ada.token } });
      socket.close();
      assertEqual(error, "Authentication required", "connect_error");
    });
    await check("02: websocket transport, a number as token is Invalid token", async () => {
      const { error, socket } = await attempt(url, { transports: ["websocket"], auth: { token: 42 } });
      socket.close();
      assertEqual(error, "Invalid token", "connect_error");
    });
    await check("02: polling, a 100 KB token is Invalid token", async () => {
      const { error, socket } = await attempt(url, { transports: ["polling"], auth: { token: "a".repeat(102400) } });
      socket.close();
      assertEqual(error, "Invalid token", "connect_error");
    });
    await check("02: whoami answers the server-side user", async () => {
      const { connect, socket } = await attempt(url, { auth: { token: ada.token } });
      if (!connect) throw new Error("ada was not connected");
      const me = await socket.timeout(5000).emitWithAck("whoami");
      socket.close();
      assertEqual([me.name, me.role, Object.keys(me).sort()], ["ada", "user", ["id", "name", "role"]], "whoami");
    });
    await check("02: send-message carries the sender from the token, not the payload", async () => {
      const a = (await attempt(url, { auth: { token: ada.token } })).socket;
      const b = (await attempt(url, { auth: { token: bob.token } })).socket;
      try {
        for (const socket of [a, b]) {
          assertEqual(await socket.timeout(5000).emitWithAck("join-room", { room: "lobby" }), { status: "ok" }, "join-room");
        }
        const received = once(b, "new-message");
        await a.timeout(5000).emitWithAck("send-message", { room: "lobby", text: "hi", sender: "bob", senderId: bob.id });
        const [message] = await received;
        assertEqual([message.text, message.sender, typeof message.timestamp], ["hi", "ada", "number"], "new-message");
      } finally {
        a.close();
        b.close();
      }
    });
    await check("02: rooms are bounded: 65 characters, the 51st room and an array are refused", async () => {
      const { socket } = await attempt(url, { auth: { token: ada.token } });
      try {
        const join = (room) => socket.timeout(5000).emitWithAck("join-room", { room });
        assertEqual(await join("r".repeat(65)), { error: "Invalid payload" }, "65 characters");
        for (let n = 1; n <= 50; n++) assertEqual(await join(`room-${n}`), { status: "ok" }, `room ${n}`);
        assertEqual(await join("room-51"), { error: "Too many rooms" }, "the 51st room");
        assertEqual(await join("room-1"), { status: "ok" }, "a room it is in");
        assertEqual(await socket.timeout(5000).emitWithAck("send-message", ["room-1", "hi"]), { error: "Invalid payload" }, "an array");
      } finally {
        socket.close();
      }
    });
    await check("02: send-message into a room the socket has not joined is refused", async () => {
      const a = (await attempt(url, { auth: { token: ada.token } })).socket;
      const b = (await attempt(url, { auth: { token: bob.token } })).socket;
      try {
        assertEqual(await b.timeout(5000).emitWithAck("join-room", { room: "secret" }), { status: "ok" }, "bob joins");
        const texts = [];
        b.on("new-message", (message) => texts.push(message.text));
        const ack = await a.timeout(5000).emitWithAck("send-message", { room: "secret", text: "let me in" });
        assertEqual(ack, { error: "Not a member of this room" }, "ack");
        // The server emits before it acks: once bob's own ack is back, his
        // message has arrived, after anything ada's could have sent.
        await b.timeout(5000).emitWithAck("send-message", { room: "secret", text: "still here" });
        assertEqual(texts, ["still here"], "what bob received");
      } finally {
        a.close();
        b.close();
      }
    });
  },
  "error-data-solution": async (url) => {
    // What a JavaScript client does with lesson 03's refusals: the document
    // travels as the message, so it parses it back into {message, data}.
    const refusal = (error) => JSON.parse(error);
    await check("03: no token is AUTH_REQUIRED, as a JSON document in the message", async () => {
      const { error, socket } = await attempt(url, {});
      socket.close();
      assertEqual(refusal(error), { message: "No token provided", data: { type: "AUTH_REQUIRED" } }, "connect_error");
    });
    await check("03: a forged token is INVALID_TOKEN", async () => {
      const { error, socket } = await attempt(url, { transports: ["websocket"], auth: { token: "a.b.c" } });
      socket.close();
      assertEqual(refusal(error).data, { type: "INVALID_TOKEN" }, "connect_error data");
    });
    const ada = await login(url, "ada");
    await check("03: login returns a refresh token; a valid token connects and whoami answers", async () => {
      if (typeof ada.refreshToken !== "string" || ada.refreshToken.length < 32) {
        throw new Error(`refreshToken missing or short: ${JSON.stringify(ada)}`);
      }
      const { connect, socket } = await attempt(url, { auth: { token: ada.token } });
      if (!connect) throw new Error("ada was not connected");
      const me = await socket.timeout(5000).emitWithAck("whoami");
      socket.close();
      assertEqual(me.name, "ada", "whoami.name");
    });
    await check("03: an expired token is TOKEN_EXPIRED; refresh rotates and the new token connects", async () => {
      // JWT_TTL_SECS=3: in whole seconds, a token lives 2 to 4 s.
      await new Promise((r) => setTimeout(r, 4100));
      const expired = await attempt(url, { auth: { token: ada.token } });
      expired.socket.close();
      assertEqual(refusal(expired.error ?? "null")?.data, { type: "TOKEN_EXPIRED" }, "connect_error data");
      const fresh = await json(url, "/auth/refresh", { refreshToken: ada.refreshToken });
      assertEqual(fresh.status, 200, "refresh status");
      const again = await json(url, "/auth/refresh", { refreshToken: ada.refreshToken });
      assertEqual(again, { status: 401, body: { message: "Invalid refresh token" } }, "reusing the old refresh token");
      const { connect, socket } = await attempt(url, { auth: { token: fresh.body.token } });
      socket.close();
      if (!connect) throw new Error("the refreshed token was refused");
    });
    await check("03: a spent refresh token presented again revokes its family, the thief's new token too", async () => {
      const bob = await login(url, "bob");
      const thief = await json(url, "/auth/refresh", { refreshToken: bob.refreshToken });
      assertEqual(thief.status, 200, "the thief's refresh");
      const owner = await json(url, "/auth/refresh", { refreshToken: bob.refreshToken });
      assertEqual(owner, { status: 401, body: { message: "Invalid refresh token" } }, "the owner's spent token");
      const thiefAgain = await json(url, "/auth/refresh", { refreshToken: thief.body.refreshToken });
      assertEqual(thiefAgain, { status: 401, body: { message: "Invalid refresh token" } }, "the thief's token after the reuse");
    });
    await check("03: logout answers 204 and ends the family; unknown token 204, missing field 400", async () => {
      const logout = (body) =>
        fetch(`${url}/auth/logout`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
          .then(async (r) => ({ status: r.status, text: await r.text() }));
      const carol = await login(url, "carol");
      const next = await json(url, "/auth/refresh", { refreshToken: carol.refreshToken });
      assertEqual(next.status, 200, "refresh before logout");
      assertEqual(await logout({ refreshToken: next.body.refreshToken }), { status: 204, text: "" }, "logout");
      const after = await json(url, "/auth/refresh", { refreshToken: next.body.refreshToken });
      assertEqual(after, { status: 401, body: { message: "Invalid refresh token" } }, "refresh after logout");
      assertEqual((await logout({ refreshToken: "not-a-refresh-token" })).status, 204, "logout with an unknown token");
      assertEqual((await logout({})).status, 400, "logout without refreshToken");
    });
  },
  "chaining-solution": async (url) => {
    const [admin, ada] = [await loginAdmin(url), await login(url, "ada")];
    const post = (path, token) =>
      fetch(url + path, { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {} })
        .then(async (r) => ({ status: r.status, body: await r.json() }));
    await check("04: the ban route is 401 without a token, 403 for a user, 404 for nobody", async () => {
      assertEqual((await post(`/api/admin/users/${ada.id}/ban`)).status, 401, "no token");
      assertEqual((await post(`/api/admin/users/${ada.id}/ban`, ada.token)).status, 403, "ada's token");
      assertEqual((await post("/api/admin/users/65f0c0ffee0000000000beef/ban", admin.token)).status, 404, "unknown id");
    });
    await check("04: a ban sends forceDisconnect, disconnects, and refuses with Account suspended until unban", async () => {
      const { connect, socket } = await attempt(url, { auth: { token: ada.token } });
      if (!connect) throw new Error("ada was not connected");
      const [told, gone] = [next(socket, "forceDisconnect"), next(socket, "disconnect")];
      assertEqual(await post(`/api/admin/users/${ada.id}/ban`, admin.token), { status: 200, body: { status: "ok" } }, "ban");
      assertEqual(await told, { reason: "Account suspended" }, "forceDisconnect");
      assertEqual(await gone, "io server disconnect", "disconnect reason");
      const banned = await attempt(url, { auth: { token: ada.token } });
      banned.socket.close();
      assertEqual(banned.error, "Account suspended", "connect_error");
      assertEqual((await post(`/api/admin/users/${ada.id}/unban`, admin.token)).status, 200, "unban");
      const back = await attempt(url, { auth: { token: ada.token } });
      back.socket.close();
      if (!back.connect) throw new Error(`ada was refused after unban: ${back.error}`);
    });
    await check("04: the sixth socket from one address is Too many connections from this IP", async () => {
      // The sockets closed above give their slots back as the server sees them go.
      for (let waited = 0; ; waited += 20) {
        const stats = await json(url, "/api/admin/stats", undefined, admin.token);
        if (JSON.stringify(stats.body.connectionsByIp) === "{}") break;
        if (waited > 5000) throw new Error(`the slots stay taken: ${JSON.stringify(stats.body)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const sockets = [];
      try {
        for (let i = 0; i < 5; i++) {
          const { connect, socket, error } = await attempt(url, { transports: ["websocket"], auth: { token: ada.token } });
          sockets.push(socket);
          if (!connect) throw new Error(`socket ${i + 1} was refused: ${error}`);
        }
        const sixth = await attempt(url, { transports: ["websocket"], auth: { token: ada.token } });
        sockets.push(sixth.socket);
        assertEqual(sixth.error, "Too many connections from this IP", "connect_error");
      } finally {
        sockets.forEach((socket) => socket.close());
      }
    });
    // Last: it leaves the server's only administrator banned. (A second
    // administrator, or a demotion, is a store edit no route makes.)
    await check("04: a banned administrator cannot unban themselves, nor ban anyone", async () => {
      const adminId = JSON.parse(Buffer.from(admin.token.split(".")[1], "base64url")).id;
      assertEqual(await post(`/api/admin/users/${adminId}/ban`, admin.token), { status: 200, body: { status: "ok" } }, "the admin bans themselves");
      const suspended = { status: 403, body: { message: "Account suspended" } };
      assertEqual(await post(`/api/admin/users/${adminId}/unban`, admin.token), suspended, "unbanning themselves");
      assertEqual(await post(`/api/admin/users/${ada.id}/ban`, admin.token), suspended, "banning ada");
      const still = await attempt(url, { auth: { token: ada.token } });
      still.socket.close();
      if (!still.connect) throw new Error(`ada was refused: ${still.error}`);
    });
  },
  "namespaces-solution": async (url) => {
    const [admin, ada] = [await loginAdmin(url), await login(url, "ada")];
    await check("05: one connection, three namespaces: / anonymous, /chat as ada, /admin refuses her", async () => {
      // The official client multiplexes a Manager's namespaces over one Engine.IO connection.
      const manager = new Manager(url, { reconnection: false, autoConnect: false });
      try {
        await connected(manager.socket("/", { autoConnect: false }));
        const chat = await connected(manager.socket("/chat", { autoConnect: false, auth: { token: ada.token } }));
        assertEqual((await chat.timeout(5000).emitWithAck("whoami")).name, "ada", "whoami on /chat");
        const refused = await connected(manager.socket("/admin", { autoConnect: false, auth: { token: ada.token } }))
          .then(() => "accepted", (e) => e.message);
        assertEqual(refused, "connect_error Admin access required", "/admin");
      } finally {
        manager.engine?.close();
      }
    });
    await check("05: online-users counts ada's two devices; disconnect-user reaches both", async () => {
      const console_ = await connected(io(`${url}/admin`, { forceNew: true, reconnection: false, autoConnect: false, auth: { token: admin.token } }));
      const devices = [];
      try {
        for (let i = 0; i < 2; i++) {
          devices.push(await connected(io(`${url}/chat`, { forceNew: true, reconnection: false, autoConnect: false, auth: { token: ada.token } })));
        }
        const rows = await console_.timeout(5000).emitWithAck("online-users");
        const row = rows.find((r) => r.userId === ada.id);
        assertEqual(row && [row.name, row.sockets], ["ada", 2], "ada's row");
        const told = devices.map((d) => next(d, "forceDisconnect"));
        const answer = await console_.timeout(5000).emitWithAck("disconnect-user", { userId: ada.id });
        assertEqual(answer, { status: "ok", disconnected: 2 }, "disconnect-user");
        for (const reason of await Promise.all(told)) {
          assertEqual(reason, { reason: "Disconnected by an administrator" }, "forceDisconnect");
        }
      } finally {
        [console_, ...devices].forEach((socket) => socket.close());
      }
    });
    await check("05: disconnect-user with an array in place of {userId} is Invalid payload", async () => {
      const console_ = await connected(io(`${url}/admin`, { forceNew: true, reconnection: false, autoConnect: false, auth: { token: admin.token } }));
      const device = await connected(io(`${url}/chat`, { forceNew: true, reconnection: false, autoConnect: false, auth: { token: ada.token } }));
      try {
        const answer = await console_.timeout(5000).emitWithAck("disconnect-user", [ada.id]);
        assertEqual(answer, { error: "Invalid payload" }, "disconnect-user [id]");
        assertEqual((await device.timeout(5000).emitWithAck("whoami")).id, ada.id, "ada is still connected");
      } finally {
        [console_, device].forEach((socket) => socket.close());
      }
    });
    await check("05: any other namespace is Invalid namespace", async () => {
      const { error, socket } = await attempt(`${url}/secret`, { auth: { token: admin.token } });
      socket.close();
      assertEqual(error, "Invalid namespace", "connect_error");
    });
  },
  "session-auth-solution": async (url) => {
    await json(url, "/auth/register", { username: "ada", email: "ada@example.com", password: PASSWORD });
    const response = await fetch(`${url}/session/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ada", password: PASSWORD }),
    });
    const setCookie = response.headers.get("set-cookie") ?? "";
    const cookie = setCookie.split(";")[0];
    await check("10: login sets an HttpOnly, SameSite=Lax session cookie", async () => {
      assertEqual(response.status, 200, "status");
      const attributes = setCookie.toLowerCase();
      if (!attributes.includes("httponly") || !attributes.includes("samesite=lax") || !attributes.includes("path=/")) {
        throw new Error(`set-cookie: ${setCookie}`);
      }
    });
    await check("10: the cookie authenticates a socket on both transports; without it, Not authenticated", async () => {
      for (const transports of [["polling"], ["websocket"]]) {
        const { connect, socket, error } = await attempt(url, { transports, extraHeaders: { cookie } });
        if (!connect) throw new Error(`${transports}: ${error}`);
        const me = await socket.timeout(5000).emitWithAck("whoami");
        socket.close();
        assertEqual(me.name, "ada", `${transports}: whoami`);
      }
      const { error, socket } = await attempt(url, {});
      socket.close();
      assertEqual(error, "Not authenticated", "no cookie");
    });
    await check("10: a handshake from another origin is Origin not allowed", async () => {
      const { error, socket } = await attempt(url, { transports: ["polling"], extraHeaders: { cookie, origin: "https://evil.example" } });
      socket.close();
      assertEqual(error, "Origin not allowed", "connect_error");
    });
  },
  "logging-solution": async (url, server) => {
    const ada = await login(url, "ada");
    await check("06: an attempt and a disconnect on /chat are JSON lines, with no secret in any line", async () => {
      const { connect, socket } = await attempt(`${url}/chat`, {
        transports: ["websocket"],
        auth: { token: ada.token },
        extraHeaders: { "user-agent": "contract-check/1.0" },
      });
      if (!connect) throw new Error("ada was not connected");
      const id = socket.id;
      socket.close();
      const lines = () => server.output.map((line) => JSON.parse(line)).map((l) => ({ ...l, ...l.fields }));
      const find = (event) => lines().find((l) => l.event === event && l.socketId === id);
      for (let waited = 0; !find("disconnect"); waited += 20) {
        if (waited > 5000) throw new Error(`no disconnect line for ${id}:\n${server.output.join("\n")}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const attempt_ = find("connection_attempt");
      assertEqual([attempt_?.namespace, attempt_?.auth, attempt_?.userAgent], ["/chat", "provided", "contract-check/1.0"], "connection_attempt");
      if (Number.isNaN(Date.parse(attempt_.timestamp))) throw new Error(`timestamp: ${attempt_.timestamp}`);
      assertEqual([find("disconnect").namespace, typeof find("disconnect").durationMs], ["/chat", "number"], "disconnect");
      const signature = ada.token.split(".")[2];
      const leaked = server.output.filter((line) => line.includes(signature) || line.includes(PASSWORD) || line.includes("$2"));
      assertEqual(leaked, [], "lines holding a token, the password or a hash");
    });
    // At debug, socketioxide logs every packet, the CONNECT's auth included,
    // unless the server keeps it at info: a directive for another crate
    // whose name merely starts the same must not lift that.
    for (const RUST_LOG of ["debug", "debug,socketioxide_redis=info"]) {
      await check(`06: at RUST_LOG=${RUST_LOG}, no line holds the token`, async () => {
        const debug = await serve("logging-solution", { RUST_LOG });
        try {
          const bob = await login(debug.url, "bob");
          const { connect, socket } = await attempt(`${debug.url}/chat`, { auth: { token: bob.token } });
          if (!connect) throw new Error("bob was not connected");
          assertEqual((await socket.timeout(5000).emitWithAck("whoami", {})).name, "bob", "whoami");
          const id = socket.id;
          socket.close();
          const done = () => debug.output.some((line) => line.includes('"disconnect"') && line.includes(id));
          for (let waited = 0; !done(); waited += 20) {
            if (waited > 5000) throw new Error(`no disconnect line for ${id}`);
            await new Promise((r) => setTimeout(r, 20));
          }
          if (!debug.output.some((line) => line.includes('"DEBUG"'))) throw new Error("no debug line at all: is RUST_LOG read?");
          const parts = bob.token.split(".");
          const leaked = debug.output.filter((line) => parts.some((part) => line.includes(part)));
          assertEqual(leaked.map((line) => line.slice(0, 160)), [], "lines holding part of the token");
        } finally {
          debug.stop();
        }
      });
    }
  },
  "rate-limiting-solution": async (url) => {
    const ada = await login(url, "ada");
    await check("07: over the window's limit, the ack is Rate limited with retryAfter and nothing is broadcast", async () => {
      const { connect, socket } = await attempt(url, { auth: { token: ada.token } });
      if (!connect) throw new Error("ada was not connected");
      try {
        assertEqual(await socket.timeout(5000).emitWithAck("join-room", { room: "lobby" }), { status: "ok" }, "join-room");
        const heard = [];
        socket.on("new-message", (m) => heard.push(m));
        const send = () => socket.timeout(5000).emitWithAck("send-message", { room: "lobby", text: "hi" });
        assertEqual([await send(), await send()], [{ status: "ok" }, { status: "ok" }], "within the limit");
        assertEqual(await send(), { error: "Rate limited", retryAfter: 60 }, "over the limit");
        assertEqual(await socket.timeout(5000).emitWithAck("join-room", { room: "lobby" }), { status: "ok" }, "the socket lives on");
        assertEqual(heard, [{ text: "hi", user: "ada" }, { text: "hi", user: "ada" }], "new-message");
      } finally {
        socket.close();
      }
    });
    await check("07: lesson 02's room rules: no user room, no room never joined", async () => {
      const bob = await login(url, "bob");
      const { socket } = await attempt(url, { auth: { token: ada.token } });
      try {
        const join = await socket.timeout(5000).emitWithAck("join-room", { room: `user:${bob.id}` });
        assertEqual(join, { error: "Room not allowed" }, "join-room user:<bob>");
        const send = await socket.timeout(5000).emitWithAck("send-message", { room: "elsewhere", text: "hi" });
        assertEqual(send, { error: "Not a member of this room" }, "send-message");
      } finally {
        socket.close();
      }
    });
  },
  "disconnect-cleanup-solution": async (url) => {
    const [ada, bob] = [await login(url, "ada"), await login(url, "bob")];
    await check("08: a leaving socket is user-leaving to its rooms; after the grace period, friend-offline", async () => {
      assertEqual(await json(url, `/api/friends/${bob.id}`, {}, ada.token), { status: 200, body: { status: "ok" } }, "friends");
      const watcher = (await attempt(url, { auth: { token: bob.token } })).socket;
      const leaver = (await attempt(url, { auth: { token: ada.token } })).socket;
      try {
        for (const socket of [watcher, leaver]) {
          assertEqual(await socket.timeout(5000).emitWithAck("join-room", { room: "lobby" }), { status: "ok" }, "join-room");
        }
        const [leaving, offline] = [next(watcher, "user-leaving"), next(watcher, "friend-offline")];
        leaver.close();
        assertEqual(await leaving, { userId: ada.id, room: "lobby" }, "user-leaving");
        const gone = await offline;
        assertEqual(gone.userId, ada.id, "friend-offline");
        const presence = await json(url, `/api/presence/${ada.id}`);
        assertEqual([presence.body.status, presence.body.sockets, presence.body.lastSeen], ["offline", 0, gone.lastSeen], "presence");
      } finally {
        watcher.close();
      }
    });
    await check("08: room rules: no user: room (it carries friend-offline), names of 1-64 characters, 50 rooms, objects only", async () => {
      const { connect, socket } = await attempt(url, { auth: { token: bob.token } });
      if (!connect) throw new Error("bob was not connected");
      try {
        const join = (payload) => socket.timeout(5000).emitWithAck("join-room", payload);
        assertEqual(await join({ room: `user:${ada.id}` }), { error: "Room not allowed" }, "ada's user: room");
        assertEqual(await join({ room: "r".repeat(65) }), { error: "Invalid payload" }, "65 characters");
        assertEqual(await join(["lobby"]), { error: "Invalid payload" }, "an array");
        for (let n = 1; n <= 50; n++) assertEqual(await join({ room: `room-${n}` }), { status: "ok" }, `room ${n}`);
        assertEqual(await join({ room: "room-51" }), { error: "Too many rooms" }, "the 51st room");
        assertEqual(await join({ room: "room-1" }), { status: "ok" }, "rejoining");
      } finally {
        socket.close();
      }
    });
  },
  "notifications-solution": async (url) => {
    const [ada, bob] = [await login(url, "ada"), await login(url, "bob")];
    await check("09: a comment notifies the author, then unread-count; mark-read brings it back to 0", async () => {
      const socket = io(url, { forceNew: true, reconnection: false, autoConnect: false, auth: { token: ada.token } });
      const first = next(socket, "unread-count");
      await connected(socket);
      try {
        assertEqual(await first, { count: 0 }, "unread-count on connect");
        const post = await json(url, "/api/posts", { title: "Sockets" }, ada.token);
        assertEqual([post.status, post.body.title, post.body.authorId], [201, "Sockets", ada.id], "POST /api/posts");
        const [notified, counted] = [next(socket, "notification"), next(socket, "unread-count")];
        assertEqual(await json(url, `/api/posts/${post.body.id}/comment`, { text: "Nice" }, bob.token), { status: 201, body: { success: true } }, "comment");
        const notification = await notified;
        assertEqual(
          [notification.type, notification.body, notification.link, notification.read],
          ["comment", 'bob commented on "Sockets"', `/posts/${post.body.id}`, false],
          "notification",
        );
        assertEqual(await counted, { count: 1 }, "unread-count after the comment");
        const recounted = next(socket, "unread-count");
        assertEqual(await socket.timeout(5000).emitWithAck("mark-read", [notification.id]), { status: "ok" }, "mark-read");
        assertEqual(await recounted, { count: 0 }, "unread-count after mark-read");
      } finally {
        socket.close();
      }
    });
  },
  "scale-out-solution": async (url) => {
    const [eve, mallory] = [await login(url, "eve"), await login(url, "mallory")];
    await check("11: send-message only into a joined room; no user: room; objects only; mark-read takes 500 ids", async () => {
      const member = (await attempt(url, { auth: { token: eve.token } })).socket;
      const outsider = (await attempt(url, { auth: { token: mallory.token } })).socket;
      try {
        assertEqual(await member.timeout(5000).emitWithAck("join-room", { room: "lobby" }), { status: "ok" }, "join-room");
        let heard = 0;
        member.on("new-message", () => heard++);
        const send = (socket, payload) => socket.timeout(5000).emitWithAck("send-message", payload);
        assertEqual(await send(outsider, { room: "lobby", text: "let me in" }), { error: "Not a member of this room" }, "outside the room");
        assertEqual(await send(outsider, ["lobby", "hi"]), { error: "Invalid payload" }, "an array");
        assertEqual(await outsider.timeout(5000).emitWithAck("join-room", { room: `user:${eve.id}` }), { error: "Room not allowed" }, "eve's user: room");
        const ids = (n) => Array.from({ length: n }, (_, i) => `id-${i}`);
        assertEqual(await outsider.timeout(5000).emitWithAck("mark-read", ids(501)), { error: "Invalid payload" }, "501 ids");
        const inside = next(member, "new-message");
        assertEqual(await send(member, { room: "lobby", text: "hi" }), { status: "ok" }, "inside the room");
        await inside;
        assertEqual(heard, 1, "new-message in lobby: only the member's own");
      } finally {
        member.close();
        outsider.close();
      }
    });
    if (!process.env.REDIS_URL) {
      if (process.env.REQUIRE_REDIS === "1") throw new Error("REQUIRE_REDIS=1 but REDIS_URL is not set");
      console.log("SKIPPED 11: two servers need REDIS_URL (and MONGODB_URI)");
      return;
    }
    const other = await serve("scale-out-solution", settings["scale-out-solution"]);
    try {
      const [ada, bob] = [await login(url, "ada"), await login(other.url, "bob")];
      await check("11: a comment through server A notifies the author's socket on server B", async () => {
        const socket = io(other.url, { forceNew: true, reconnection: false, autoConnect: false, auth: { token: ada.token } });
        await connected(socket);
        try {
          const post = await json(url, "/api/posts", { title: "Scale" }, ada.token);
          const notified = next(socket, "notification");
          assertEqual((await json(url, `/api/posts/${post.body.id}/comment`, { text: "Hi" }, bob.token)).status, 201, "comment");
          assertEqual((await notified).body, 'bob commented on "Scale"', "notification on B");
        } finally {
          socket.close();
        }
      });
      await check("11: a member on A reaches the room on B; a socket on B outside the room is refused", async () => {
        const onA = (await attempt(url, { auth: { token: ada.token } })).socket;
        const onB = (await attempt(other.url, { auth: { token: bob.token } })).socket;
        const outside = (await attempt(other.url, { auth: { token: ada.token } })).socket;
        try {
          for (const socket of [onA, onB]) {
            assertEqual(await socket.timeout(5000).emitWithAck("join-room", { room: "across" }), { status: "ok" }, "join-room");
          }
          assertEqual(
            await outside.timeout(5000).emitWithAck("send-message", { room: "across", text: "no" }),
            { error: "Not a member of this room" },
            "outside the room",
          );
          const arrived = next(onB, "new-message");
          assertEqual(await onA.timeout(5000).emitWithAck("send-message", { room: "across", text: "yes" }), { status: "ok" }, "from A");
          const message = await arrived;
          assertEqual([message.text, message.senderId], ["yes", ada.id], "new-message on B");
        } finally {
          for (const socket of [onA, onB, outside]) socket.close();
        }
      });
    } finally {
      other.stop();
    }
  },
  "securing-events-solution": async (url) => {
    const ada = await login(url, "ada");
    await check("12: anonymous sockets connect but cannot join; an invalid token is Authentication error", async () => {
      const anonymous = await attempt(url, {});
      try {
        if (!anonymous.connect) throw new Error(`an anonymous socket was refused: ${anonymous.error}`);
        const refused = next(anonymous.socket, "error");
        anonymous.socket.emit("join-post", { postId: "1" });
        assertEqual(await refused, { message: "Authentication required to join rooms" }, "error event");
      } finally {
        anonymous.socket.close();
      }
      const forged = await attempt(url, { auth: { token: "a.b.c" } });
      forged.socket.close();
      assertEqual(forged.error, "Authentication error", "connect_error");
    });
    await check("12: members only: send-message outside a joined room is refused, inside it carries the server's sender", async () => {
      const { connect, socket } = await attempt(url, { auth: { token: ada.token } });
      if (!connect) throw new Error("ada was not connected");
      try {
        const joined = next(socket, "joined-post");
        socket.emit("join-post", { postId: "1" });
        assertEqual(await joined, { postId: "1" }, "joined-post");
        const outside = await socket.timeout(5000).emitWithAck("send-message", { room: "post:2", text: "hi" });
        assertEqual(outside, { error: "Not a member of this room" }, "outside the room");
        const message = next(socket, "new-message");
        assertEqual(await socket.timeout(5000).emitWithAck("send-message", { room: "post:1", text: "hi", sender: "bob" }), { status: "ok" }, "inside");
        const { text, sender, senderId } = await message;
        assertEqual([text, sender, senderId], ["hi", "ada", ada.id], "new-message");
      } finally {
        socket.close();
      }
    });
    await check("12: an array in place of an object is Invalid payload, over a socket and as an HTTP body", async () => {
      const { connect, socket } = await attempt(url, { auth: { token: ada.token } });
      if (!connect) throw new Error("ada was not connected");
      try {
        const joined = next(socket, "joined-post");
        socket.emit("join-post", { postId: "1" });
        assertEqual(await joined, { postId: "1" }, "joined-post");
        const heard = [];
        socket.on("new-message", ({ text }) => heard.push(text));
        const array = await socket.timeout(5000).emitWithAck("send-message", ["post:1", "in field order"]);
        assertEqual(array, { error: "Invalid payload" }, "send-message [room, text]");
        // Events arrive in order: had the array been broadcast, it would be heard first.
        const after = next(socket, "new-message");
        await socket.timeout(5000).emitWithAck("send-message", { room: "post:1", text: "after" });
        await after;
        assertEqual(heard, ["after"], "new-message texts");
      } finally {
        socket.close();
      }
      const { status, body } = await json(url, "/auth/register", ["eve", "eve@example.com", PASSWORD]);
      assertEqual([status, typeof body.message], [400, "string"], "POST /auth/register [username, email, password]");
    });
  },
};

// Short-lived access tokens, so lesson 03's expiry can be seen in seconds;
// an administrator for the lessons with admin routes and namespaces.
const admin = { ADMIN_PASSWORD: PASSWORD };
const settings = {
  "error-data-solution": { JWT_TTL_SECS: "3" },
  "chaining-solution": admin,
  "namespaces-solution": admin,
  // Lesson 06's log is what it is checked on.
  "logging-solution": { RUST_LOG: "info" },
  "rate-limiting-solution": { RATE_LIMIT_MAX_EVENTS: "2" },
  "disconnect-cleanup-solution": { GRACE_PERIOD_MS: "200" },
  // Two servers of lesson 11 share one database (and Redis).
  "scale-out-solution": { MONGODB_DB: `contract-${process.pid}-scale-out` },
};

// CONTRACT_ONLY=jwt-auth-solution (comma-separated) checks only those servers.
const only = process.env.CONTRACT_ONLY?.split(",");
for (const [binary, checks] of Object.entries(lessons)) {
  if (only && !only.includes(binary)) continue;
  const server = await serve(binary, settings[binary]);
  try {
    await checks(server.url, server);
  } finally {
    server.stop();
  }
}
console.log(`contract: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
