// What one authenticated socket can make lesson 02's server hold: 300
// `join-room`s with 500 KB names (issue "Reference code safe to copy",
// item 1). Prints the server's RSS before and after, from /proc (Linux).
//
// Usage: node room-flood.mjs [target dir]   (jwt-auth-solution must be built)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const target = process.argv[2] ?? new URL("../../target/debug/", import.meta.url).pathname;
const server = spawn(`${target}jwt-auth-solution`, [], {
  env: { ...process.env, PORT: "0", BCRYPT_COST: "4", RUST_LOG: "error", JWT_SECRET: "room-flood-secret-of-32-bytes-or-more" },
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise((resolve) => {
  createInterface({ input: server.stdout }).on("line", (line) => {
    const match = line.match(/^listening on (http:\/\/\S+)/);
    if (match) resolve(match[1]);
  });
});
const rssMiB = () => {
  const kib = readFileSync(`/proc/${server.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1];
  return (Number(kib) / 1024).toFixed(1);
};
const post = async (path, body) =>
  (await fetch(url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json();

const password = "correct horse battery staple";
await post("/auth/register", { username: "ada", email: "ada@example.com", password });
const { token } = await post("/auth/login", { username: "ada", password });
const socket = io(url, { auth: { token }, transports: ["websocket"], reconnection: false });
await new Promise((resolve, reject) => {
  socket.once("connect", resolve);
  socket.once("connect_error", reject);
});

const before = rssMiB();
const answers = {};
for (let i = 0; i < 300; i++) {
  const room = String(i).padStart(3, "0") + "x".repeat(500_000 - 3);
  const ack = await socket.timeout(10_000).emitWithAck("join-room", { room });
  const key = JSON.stringify(ack);
  answers[key] = (answers[key] ?? 0) + 1;
}
console.log(`RSS before: ${before} MiB; after 300 joins of 500 KB names: ${rssMiB()} MiB; acks: ${JSON.stringify(answers)}`);
socket.close();
server.kill("SIGTERM");
