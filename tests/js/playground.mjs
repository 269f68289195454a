// The playground page (../../playground), driven in a real browser against
// lesson 02's reference server: log in, connect, whoami, a refused handshake
// shows its message; two users in one room; lesson 03's refusal types. Ends
// with a screenshot of lesson 02's page.
//
// Usage: node playground.mjs [target dir]   (jwt-auth-solution and
// error-data-solution must be built)
//
// The browser is the system's Chromium (CHROMIUM_PATH, else the usual
// paths); puppeteer-core never downloads one. Without a browser the browser
// checks are skipped, unless REQUIRE_BROWSER=1 (as CI sets): then they fail.
// The screenshot goes to PLAYGROUND_SCREENSHOT (default target/playground.png).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const target = process.argv[2] ?? `${repo}/target/debug/`;
const playgroundDir = `${repo}/playground`;
const screenshot = resolve(process.env.PLAYGROUND_SCREENSHOT ?? `${repo}/target/playground.png`);
const results = { passed: 0, failed: 0 };
const WAIT_MS = 10000;

async function check(name, body) {
  try {
    await body();
    results.passed++;
    console.log(`ok      ${name}`);
  } catch (e) {
    results.failed++;
    console.log(`FAILED  ${name}: ${e.message.split("\n")[0]}`);
  }
}

function assertEqual(actual, expected, what) {
  const [a, b] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== b) throw new Error(`${what}: expected ${b}, got ${a}`);
}

let servers = 0;

/**
 * Starts a reference server on a free port; resolves to its URL. With
 * MONGODB_URI set (as in CI), each server gets a database of its own, so a
 * user registered by an earlier check or run cannot make "register" a 400.
 */
async function serve(binary, env) {
  const child = spawn(`${target}/${binary}`, [], {
    env: {
      ...process.env,
      MONGODB_DB: `playground-${process.pid}-${++servers}`,
      PORT: "0",
      BCRYPT_COST: "4",
      RUST_LOG: "error",
      JWT_SECRET: "playground-check-secret-of-32-bytes-or-more",
      WORKBOOK_PLAYGROUND: "",
      WORKBOOK_LESSON: "",
      ...env,
    },
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

/** CHROMIUM_PATH when set (a path that does not exist: no browser), else the usual places. */
function findChromium() {
  const given = process.env.CHROMIUM_PATH;
  const candidates = given ? [given] : ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  return candidates.find((path) => existsSync(path));
}

const status = async (url) => (await fetch(url)).status;

const server = await serve("jwt-auth-solution", { WORKBOOK_PLAYGROUND: playgroundDir, WORKBOOK_LESSON: "02-jwt-auth" });
const plain = await serve("jwt-auth-solution", {});
const errorData = await serve("error-data-solution", { WORKBOOK_PLAYGROUND: playgroundDir, WORKBOOK_LESSON: "03-error-data" });
try {
  await check("the page, its script and lesson 02's preset are served under /playground", async () => {
    for (const path of ["/playground", "/playground/", "/playground/playground.js", "/playground/playground.css"]) {
      assertEqual(await status(server.url + path), 200, path);
    }
    const lesson = await (await fetch(`${server.url}/playground/lesson.json`)).json();
    assertEqual([lesson.lesson, lesson.presetFile], ["02-jwt-auth", "02-jwt-auth.json"], "lesson.json");
  });
  await check("the served socket.io-client bundle is the pinned one (sha256)", async () => {
    const manifest = JSON.parse(readFileSync(`${playgroundDir}/vendor/manifest.json`, "utf8"));
    const body = Buffer.from(await (await fetch(`${server.url}/playground/vendor/socket.io.min.js`)).arrayBuffer());
    assertEqual(createHash("sha256").update(body).digest("hex"), manifest.sha256, `sha256 of socket.io-client ${manifest.version}`);
  });
  await check("only the page's own files are served: no README, script or way out", async () => {
    for (const path of ["/playground/README.md", "/playground/update-client.sh", "/playground/presets/..%2F..%2FCargo.toml",
      "/playground/vendor/..%2F..%2FCargo.toml", "/playground/%2e%2e/Cargo.toml"]) {
      assertEqual(await status(server.url + path), 404, path);
    }
  });
  await check("a server started without WORKBOOK_PLAYGROUND (as under test) serves no page", async () => {
    assertEqual(await status(`${plain.url}/playground`), 404, "/playground");
    assertEqual(await status(`${plain.url}/playground/lesson.json`), 404, "/playground/lesson.json");
  });

  const chromium = findChromium();
  if (!chromium) {
    if (process.env.REQUIRE_BROWSER === "1") {
      await check("a browser is installed (REQUIRE_BROWSER=1)", async () => {
        throw new Error("no Chromium found: apt-get install chromium, or set CHROMIUM_PATH");
      });
    } else {
      console.log("playground: browser checks SKIPPED (no Chromium found; set CHROMIUM_PATH or install chromium)");
    }
  } else {
    await inBrowser(chromium, server.url, errorData.url);
  }
} finally {
  server.stop();
  plain.stop();
  errorData.stop();
}
console.log(`playground: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);

async function inBrowser(executablePath, url, errorDataUrl) {
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    defaultViewport: { width: 1360, height: 900 },
  });
  const problems = [];
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    // A refused or closed client's last long-polling request may be answered
    // 400 (its session is gone): Socket.IO's own traffic is not the page's.
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
    });
    page.on("response", (r) => {
      if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith("/socket.io/")) problems.push(`${r.status()} ${r.url()}`);
    });

    const client = (n, role) => `[data-client="${n}"] [data-role="${role}"]`;
    const text = (selector) => page.$eval(selector, (node) => node.textContent);
    const waitText = (selector, wanted) => page.waitForFunction(
      (s, w) => [...document.querySelectorAll(s)].some((n) => n.textContent.includes(w)), {}, selector, wanted);
    const setValue = (selector, value) => page.$eval(selector, (node, v) => {
      node.value = v;
      node.dispatchEvent(new Event("input", { bubbles: true }));
      node.dispatchEvent(new Event("change", { bubbles: true }));
    }, value);
    const login = async (name) => {
      await setValue("#account-form [name=username]", name);
      await page.click('[data-action="register"]');
      await waitText("#http-log li", "Registration successful");
      const before = await page.$$eval("#http-log li", (items) => items.length);
      await page.click('[data-action="login"]');
      await page.waitForFunction((n) => document.querySelectorAll("#http-log li").length >= n + 2, {}, before);
      await waitText("#users tbody tr", name);
    };

    await check("browser: the page opens with lesson 02's preset and one client", async () => {
      await page.goto(`${url}/playground`, { waitUntil: "load" });
      await page.waitForSelector("body[data-ready=true]");
      const lesson = await text("#lesson");
      if (!lesson.includes("02-jwt-auth")) throw new Error(`lesson shown: ${lesson}`);
      await page.waitForSelector(client(1, "connect"));
    });

    await check("browser: register and log in ada", async () => {
      // Two registrations of the same name: the second one is refused.
      await login("ada");
      await page.waitForSelector('#users tr[data-user="ada"]');
    });

    await check("browser: client 1 connects with ada's token", async () => {
      assertEqual(await page.$eval(client(1, "auth"), (s) => s.value), "token:ada", "client 1 auth");
      await page.click(client(1, "connect"));
      await waitText(client(1, "status"), "connected");
    });

    await check("browser: whoami with an ack answers ada, with the time", async () => {
      await setValue(client(1, "event"), "whoami");
      await setValue(client(1, "payload"), "");
      await page.$eval(client(1, "ack"), (box) => { box.checked = true; });
      await page.click(client(1, "emit"));
      await waitText(`${client(1, "log")} li.ack`, '"name":"ada"');
      const line = await page.$eval(`${client(1, "log")} li.ack`, (li) => li.textContent);
      if (!/^\d\d:\d\d:\d\d\.\d{3}/.test(line) || !line.includes('"role":"user"')) throw new Error(`ack line: ${line}`);
    });

    await check("browser: a second client with a forged token is refused: Invalid token", async () => {
      await page.click("#add-client");
      await page.waitForSelector(client(2, "auth"));
      await page.select(client(2, "auth"), "custom");
      await setValue(client(2, "custom"), '{"token": "not-a-jwt"}');
      await page.click(client(2, "connect"));
      await waitText(client(2, "status"), "refused");
      assertEqual(await text(client(2, "refusal-message")), "Invalid token", "refusal shown");
      await waitText(`${client(2, "log")} li.bad`, "Invalid token");
    });

    await check("browser: bob in a third client, both in lobby: ada sees bob's message, sent by bob", async () => {
      await login("bob");
      await page.click("#add-client");
      await page.waitForSelector(client(3, "auth"));
      assertEqual(await page.$eval(client(3, "auth"), (s) => s.value), "token:bob", "client 3 auth (a user no client has)");
      await page.click(client(3, "connect"));
      await waitText(client(3, "status"), "connected");
      for (const n of [1, 3]) {
        await setValue(client(n, "event"), "join-room");
        await setValue(client(n, "payload"), '{"room": "lobby"}');
        await page.click(client(n, "emit"));
        await waitText(`${client(n, "log")} li.ack`, '{"status":"ok"}');
      }
      await setValue(client(3, "event"), "send-message");
      await setValue(client(3, "payload"), '{"room": "lobby", "text": "hello ada", "sender": "ada"}');
      await page.click(client(3, "emit"));
      await waitText(`${client(1, "log")} li.in`, "hello ada");
      const line = await page.$eval(`${client(1, "log")} li.in:last-child`, (li) => li.textContent);
      if (!line.includes("new-message") || !/"sender": ?"bob"/.test(line)) throw new Error(`new-message line: ${line}`);
    });

    await check("browser: no script error, no blocked or failed request of the page", async () => {
      if (problems.length) throw new Error(problems.join("; "));
    });

    await check("browser: lesson 03's refusals show their parsed data.type", async () => {
      const other = await browser.newPage();
      other.setDefaultTimeout(WAIT_MS);
      try {
        await other.goto(`${errorDataUrl}/playground`, { waitUntil: "load" });
        await other.waitForSelector("body[data-ready=true]");
        const refusal = async (auth, custom) => {
          await other.select(client(1, "auth"), auth);
          if (custom) {
            await other.$eval(client(1, "custom"), (node, v) => { node.value = v; }, custom);
          }
          await other.click(client(1, "connect"));
          await other.waitForFunction((s) => document.querySelector(s).textContent === "refused", {}, client(1, "status"));
          const shown = await other.$eval(`[data-client="1"] .refusal`, (node) => node.textContent.replace(/\s+/g, " ").trim());
          await other.click(client(1, "clear"));
          return shown;
        };
        assertEqual(await refusal("none"), "connect_error No token provided data.type AUTH_REQUIRED", "no auth");
        assertEqual(await refusal("custom", '{"token": "a.b.c"}'), "connect_error Invalid token data.type INVALID_TOKEN", "forged token");
      } finally {
        await other.close();
      }
    });

    await check(`browser: screenshot saved to ${screenshot}`, async () => {
      mkdirSync(dirname(screenshot), { recursive: true });
      // The whole page at once, in a viewport of its height: a full-page
      // capture of a taller page can leave scrolled lists unpainted.
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.setViewport({ width: 1360, height: Math.max(900, Math.ceil(height)) });
      await page.screenshot({ path: screenshot });
      if (!existsSync(screenshot)) throw new Error("no file");
    });
  } finally {
    await browser.close();
  }
}
