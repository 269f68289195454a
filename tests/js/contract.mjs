// The lesson servers, seen by the official JavaScript client: the contract
// (../../shared/contract.md in the workshop repository) says what a browser or
// Node.js client sees, and this proves it for each reference solution.
//
// Usage: node contract.mjs [target dir]   (servers must already be built)
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

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
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill(), 20000);
  for await (const line of lines) {
    const match = line.match(/^listening on (http:\/\/\S+)/);
    if (match) {
      clearTimeout(timer);
      return { url: match[1], stop: () => child.kill("SIGTERM") };
    }
  }
  throw new Error(`${binary} exited before listening`);
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

async function login(url, username) {
  const password = "correct horse battery staple";
  await json(url, "/auth/register", { username, email: `${username}@example.com`, password });
  return (await json(url, "/auth/login", { username, password })).body;
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
  },
};

// Short-lived access tokens, so lesson 03's expiry can be seen in seconds.
const settings = { "error-data-solution": { JWT_TTL_SECS: "3" } };

for (const [binary, checks] of Object.entries(lessons)) {
  const server = await serve(binary, settings[binary]);
  try {
    await checks(server.url);
  } finally {
    server.stop();
  }
}
console.log(`contract: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
