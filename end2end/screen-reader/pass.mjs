// A participant's session with the keyboard alone while the Orca screen
// reader listens, and what it said at each step. Started by
// `scripts/screen-reader-pass`, which sets up the desktop, Orca, the app
// and Chromium. This presses real keys on the display (xdotool: Orca
// hears only those, not keys sent over the DevTools protocol), reads the
// page's state over the DevTools protocol, and reads Orca's speech from
// its debug log (the speech itself goes to a null sound device).
//
// The room is set up as `prepareRoom` in `tests/support.ts` does; that
// file is TypeScript for Playwright's runner, which plain Node cannot
// import.
//
//   node end2end/screen-reader/pass.mjs APP_URL CDP_URL ORCA_LOG
//
// Prints one line per step. Exits 1 when Orca did not say what a step
// expects within a few seconds.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [app, cdp, log] = process.argv.slice(2);
const ADMIN = { email: "admin@acehselatankab.go.id", password: "kopi-sanger-pagi" };

async function api(method, path, body, token) {
  const r = await fetch(`${app}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

// The facilitator's side, through the API.
const { token } = await api("POST", "/api/v1/setup", ADMIN);
const workshop = await api("POST", "/api/v1/workshops", { title: "FGD Rencana Induk Smart City", place: "Tapaktuan", language: "id" }, token);
const session = await api("POST", `/api/v1/workshops/${workshop.id}/sessions`, { title: "Hari 1" }, token);
const question = await api("POST", `/api/v1/sessions/${session.id}/questions`, {
  dimension: "governance", sub_element: "public_service", kind: "problems",
  prompt: "Apa masalah utama layanan publik di kecamatan Anda?",
}, token);

// What Orca said since the last call.
let read = readFileSync(log, "utf8").length;
function spoken() {
  const all = readFileSync(log, "utf8");
  const fresh = all.slice(read);
  read = all.length;
  return fresh
    .split(/\r?\n/)
    .filter((l) => l.includes("SPEECH OUTPUT:"))
    .map((l) => l.replace(/.*SPEECH OUTPUT: '(.*?)'\s*(\{.*)?$/, "$1").trim())
    // Orca echoes the keys pressed; those say nothing about the page.
    .filter((t) => t && !/^(tab|return|space|left shift|down|up|[a-z0-9])$/i.test(t));
}

const browser = await chromium.connectOverCDP(cdp);
const page = browser.contexts()[0].pages()[0] ?? (await browser.contexts()[0].newPage());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const missed = [];

/** Does `act`, then waits until Orca says `expect` (or 6 s), and prints what it said. */
async function step(what, act, expect) {
  await act();
  const heard = [];
  for (let waited = 0; waited < (expect ? 6000 : 1500); waited += 250) {
    await sleep(250);
    heard.push(...spoken());
    if (expect && heard.some((t) => t.includes(expect))) break;
  }
  await sleep(300);
  heard.push(...spoken());
  const ok = !expect || heard.some((t) => t.includes(expect));
  if (!ok) missed.push(`${what}: expected "${expect}"`);
  console.log(`${ok ? "  " : "✗ "}${what.padEnd(44)} ${heard.join(" | ")}`);
}
/** Presses keys on the display, as a keyboard would (X key names). */
const press = (...keys) => execFileSync("xdotool", ["key", "--clearmodifiers", "--delay", "150", ...keys]);
const key = (k) => () => press(k);
/** Presses Tab until the element matching `selector` has the focus. */
const tabTo = (selector) => async () => {
  const focused = () => page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);
  for (let i = 0; i < 30; i++) {
    press("Tab");
    // The browser moves the focus a moment after the key.
    for (let t = 0; t < 4; t++) {
      if (await focused()) return;
      await sleep(150);
    }
  }
  throw new Error(`Tab never reached ${selector}`);
};
const phase = (p) => () => api("PUT", `/api/v1/questions/${question.id}/phase`, { phase: p }, token);

await step("open the join link", () => page.goto(`${app}/j/${session.join_code}`), "Finished loading");
// Orca reads the page's summary after loading; a key pressed meanwhile
// goes astray.
await sleep(2000);
spoken();
await step("Tab", tabTo(".skip-link"), "Langsung ke isi");
await step("Enter (skip the header)", key("Return"));
await step("Tab", tabTo("input[type=radio]"), "Anda mewakili kelompok mana?");
await step("Space (this group)", key("space"), "selected");
await step("Tab, Tab (past the name)", tabTo("input[type=checkbox]"), "Saya setuju ikut serta");
await step("Space", key("space"), "checked");
await step("Tab", tabTo("button[type=submit]"), "Bergabung");
await step("Enter", key("Return"), "Hari 1");
await step("Tab to the card's text", tabTo("textarea"), "Masalah apa yang Anda lihat?");
await step("type a card", () => execFileSync("xdotool", ["type", "--delay", "20", "Antrean KTP di kecamatan terlalu panjang"]));
await step("Tab", key("Tab"), "Kirim kartu");
await step("Enter", key("Return"), "Kartu terkirim.");
await step("(the facilitator opens the vote)", phase("voting"), "Bagikan suara Anda");
await step("Tab to the first vote button", tabTo("button.vote-button.plus"), "Tambah satu suara");
await step("Enter", key("Return"), "Suara Anda: 1");
await step("(the facilitator asks a second question)", () =>
  api("POST", `/api/v1/sessions/${session.id}/questions`, { dimension: "governance", kind: "ideas", prompt: "Gagasan apa yang bisa dimulai tahun ini?" }, token),
  "Pertanyaan terbuka: Gagasan apa yang bisa dimulai tahun ini?");

await browser.close();
if (missed.length) {
  console.error(`\nOrca did not say:\n  ${missed.join("\n  ")}`);
  process.exit(1);
}
console.log("\nOrca said what every step expects.");
