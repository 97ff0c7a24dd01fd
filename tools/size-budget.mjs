// Measures what a phone downloads and compares it with the field-readiness
// budgets. Reads the release build (run `cargo leptos build --release`
// first), starts the release binary on a free port with a throw-away
// database, and fetches the join page as a phone would.
//
//   node tools/size-budget.mjs [--target-dir DIR]
//
// Prints a table; exits 1 when a figure is over its budget. Figures, not
// timings: this is a size check, not a benchmark. The test command runs it,
// so no change can make a phone's download outgrow its budget unnoticed.

import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const KB = 1024;
const BUDGET = {
  wasm: 150 * KB, // hydrate WASM, brotli
  firstPaint: 14 * KB, // join page HTML + critical CSS, compressed
};

const repo = resolve(new URL("..", import.meta.url).pathname);
const args = process.argv.slice(2);
const targetDir = args[args.indexOf("--target-dir") + 1] && args.includes("--target-dir")
  ? resolve(args[args.indexOf("--target-dir") + 1])
  : resolve(process.env.CARGO_TARGET_DIR ?? join(repo, "target"));
const site = join(repo, "target", "site");
const binary = join(targetDir, "release", "rembuk");

const brotli = (buf) =>
  brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const gzip = (buf) => gzipSync(buf, { level: 9 }).length;
const kb = (n) => `${(n / KB).toFixed(1)} KB`;

function pkgFile(name) {
  const path = join(site, "pkg", name);
  try {
    statSync(path);
  } catch {
    throw new Error(`no ${path}: build the release first (scripts/build-site)`);
  }
  return path;
}

/** The staff pages' WASM (the full bundle and its lazy chunks), largest first. */
function chunks() {
  const dir = join(site, "pkg");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".wasm") && f !== "rembuk-phone.wasm")
    .map((f) => [f, readFileSync(join(dir, f))])
    .sort((a, b) => b[1].length - a[1].length);
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitUp(base, server) {
  for (let i = 0; i < 200; i++) {
    if (server.exitCode !== null) throw new Error(`rembuk exited with ${server.exitCode}`);
    try {
      const r = await fetch(`${base}/api/v1/openapi.json`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("rembuk did not start within 20 s");
}

async function json(r) {
  if (!r.ok) throw new Error(`${r.url}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** A fresh instance with one session; returns its join page address. */
async function prepare(base) {
  const post = (path, body, token) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const { token } = await json(await post("/api/v1/setup", { email: "budget@example.go.id", password: "ukuran-anggaran-1" }));
  const workshop = await json(await post("/api/v1/workshops", { title: "FGD Smart City", language: "id" }, token));
  const session = await json(await post(`/api/v1/workshops/${workshop.id}/sessions`, { title: "Hari 1" }, token));
  return `/j/${session.join_code}`;
}

async function main() {
  // What a phone downloads: the phone's bundle, the participant's island
  // alone. Staff pages load the full bundle, whose console and projector
  // are lazy chunks fetched only by the pages that show them.
  const wasmPath = pkgFile("rembuk-phone.wasm");
  const wasm = readFileSync(wasmPath);
  const js = readFileSync(pkgFile("rembuk-phone.js"));
  const css = readFileSync(pkgFile("rembuk.css"));

  const dir = mkdtempSync(join(tmpdir(), "rembuk-size-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  statSync(binary);
  const server = spawn(binary, ["serve", "--bind", `127.0.0.1:${port}`, "--database-url", `sqlite://${join(dir, "size.db")}`], {
    cwd: repo,
    env: { ...process.env, LEPTOS_SITE_ROOT: site, REMBUK_LOG: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await waitUp(base, server);
    const joinPath = await prepare(base);
    // What the server itself sends, compressed as it chooses.
    const page = await fetch(`${base}${joinPath}`, { headers: { "accept-encoding": "br, gzip", accept: "text/html" } });
    const html = Buffer.from(await page.arrayBuffer());
    const encoding = page.headers.get("content-encoding") ?? "none";
    const rows = [
      ["hydrate WASM (phone)", wasm.length, brotli(wasm), gzip(wasm), "wasm"],
      ...chunks().map(([name, bytes]) => [`  staff: ${name.replace(/_loader_\d+|\.wasm$/g, "").replace(/^split_/, "")}`, bytes.length, brotli(bytes), gzip(bytes), null]),
      ["JS glue (phone)", js.length, brotli(js), gzip(js), null],
      ["CSS", css.length, brotli(css), gzip(css), null],
      ["join page HTML", html.length, brotli(html), gzip(html), null],
    ];
    const firstPaint = brotli(html) + brotli(css);
    rows.push(["join HTML + CSS", html.length + css.length, firstPaint, gzip(html) + gzip(css), "firstPaint"]);

    const pad = (s, n) => String(s).padEnd(n);
    const lpad = (s, n) => String(s).padStart(n);
    console.log(
      `${pad("what", 26)}${lpad("raw", 11)}${lpad("brotli", 11)}${lpad("gzip", 11)}${lpad("budget", 11)}  verdict`,
    );
    let over = false;
    for (const [what, raw, br, gz, key] of rows) {
      const budget = key === null ? null : BUDGET[key];
      let verdict = "";
      if (key !== null) {
        verdict = br <= budget ? "ok" : "OVER BUDGET";
        if (br > budget) over = true;
      }
      console.log(
        `${pad(what, 26)}${lpad(kb(raw), 11)}${lpad(kb(br), 11)}${lpad(kb(gz), 11)}${lpad(budget ? kb(budget) : "–", 11)}  ${verdict}`,
      );
    }
    console.log(`\nthe server sent the join page with content-encoding: ${encoding}`);
    // The WASM at the address the page links (under the build's hash).
    const linked = html.toString().match(/"([^"]*\/pkg\/)rembuk-phone\.wasm"/);
    if (!linked) {
      console.error("the join page does not link the phone's bundle (rembuk-phone.wasm)");
      over = true;
    }
    const wasmUrl = `${base}${linked ? linked[1] : "/pkg/"}rembuk-phone.wasm`;
    const asset = await fetch(wasmUrl, { headers: { "accept-encoding": "br, gzip" } });
    console.log(`WASM at ${new URL(wasmUrl).pathname}: ${asset.status}, content-encoding ${asset.headers.get("content-encoding") ?? "none"}, cache-control ${asset.headers.get("cache-control") ?? "none"}`);
    if (!asset.ok) {
      console.error("the page links a WASM address that does not answer");
      over = true;
    }
    if (encoding === "none") {
      console.error("the join page is sent uncompressed");
      over = true;
    }
    process.exitCode = over ? 1 : 0;
  } finally {
    server.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(2);
});
