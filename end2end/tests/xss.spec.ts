import { Page, expect, test } from "@playwright/test";
import { ADMIN, waitLive, joinLive } from "./support";

// Script-injection attempts, fed in wherever people type text: the workshop
// and session titles, the question, a participant's name and cards. Each
// one, if it ran, would set window.__xss or open a dialog.
const PAYLOADS = [
  "<script>window.__xss=1</script>",
  '<img src=x onerror="window.__xss=1">',
  '"><svg onload=window.__xss=1>',
  "</textarea><script>window.__xss=1</script>",
  "<a href=\"javascript:window.__xss=1\">klik di sini</a>",
  "' onmouseover='window.__xss=1' x='",
  '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
  "<math><mtext></form><form><mglyph><style></math><img src onerror=window.__xss=1>",
  "<details open ontoggle=window.__xss=1>",
  "<style>@import 'javascript:window.__xss=1'</style><b>tebal</b>",
  "{{constructor.constructor('window.__xss=1')()}}",
  "=HYPERLINK(\"http://penipu.example\",\"klik\")",
  "javascript:window.__xss=1//",
  "<svg><animate onbegin=window.__xss=1 attributeName=x dur=1s>",
];

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** Watches a page for anything a payload could do. */
function guard(page: Page, ran: string[]) {
  // Our own scripts must never need an exception to the page's policy.
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) ran.push(`policy violation on ${page.url()}: ${m.text()}`);
  });
  page.on("dialog", async (d) => {
    ran.push(`dialog on ${page.url()}: ${d.message()}`);
    await d.dismiss();
  });
}

async function check(page: Page, ran: string[], where: string) {
  const flag = await page.evaluate(() => (window as unknown as { __xss?: number }).__xss);
  if (flag !== undefined) ran.push(`${where}: window.__xss=${flag}`);
  // Hovering and focusing every card gives event-handler payloads their chance.
  for (const el of await page.locator(".card-text, .projector-card-text, .item-text").all()) {
    await el.hover({ trial: false, timeout: 1000 }).catch(() => {});
  }
  const after = await page.evaluate(() => (window as unknown as { __xss?: number }).__xss);
  if (after !== undefined && flag === undefined) ran.push(`${where} (after hover): window.__xss=${after}`);
}

test("script payloads in every typed text run nowhere: phone, console, projector, roll-up, print view", async ({
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  const setup = await request.post("/api/v1/setup", { data: ADMIN });
  const token =
    setup.status() === 201 ? (await setup.json()).token : (await (await request.post("/api/v1/auth/login", { data: ADMIN })).json()).token;
  const auth = { Authorization: `Bearer ${token}` };
  const workshop = await (
    await request.post("/api/v1/workshops", { headers: auth, data: { title: `FGD ${PAYLOADS[0]}`, place: PAYLOADS[1], language: "id" } })
  ).json();
  expect(workshop.id).toBeTruthy();
  const session = await (
    await request.post(`/api/v1/workshops/${workshop.id}/sessions`, { headers: auth, data: { title: `Hari ${PAYLOADS[2]}` } })
  ).json();
  const question = await (
    await request.post(`/api/v1/sessions/${session.id}/questions`, {
      headers: auth,
      data: { dimension: "governance", prompt: `Masalah apa? ${PAYLOADS[3]}`, kind: "problems" },
    })
  ).json();
  const writer = await (
    await request.post("/api/v1/join", { data: { code: session.join_code, group: "media", name: PAYLOADS[1].slice(0, 60), consent: true } })
  ).json();
  const asWriter = { Authorization: `Bearer ${writer.token}` };
  const cards: string[] = [];
  for (const text of PAYLOADS.slice(0, -2)) {
    const r = await request.post(`/api/v1/questions/${question.id}/cards`, { headers: asWriter, data: { text } });
    expect(r.status(), text).toBe(201);
    cards.push((await r.json()).id);
  }

  const ran: string[] = [];
  // The staff screens, signed in through the browser.
  const staff = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  expect((await staff.request.post("/api/v1/auth/login", { data: ADMIN })).status()).toBe(200);
  const console_ = await staff.newPage();
  guard(console_, ran);
  await console_.goto(`/admin/sessions/${session.id}`);
  await waitLive(console_);
  const projector = await staff.newPage();
  guard(projector, ran);
  await projector.goto(`/admin/sessions/${session.id}/screen`);
  await waitLive(projector);

  // A phone joins by the UI, with a payload as its name.
  const phoneContext = await browser.newContext(phone);
  const p = await phoneContext.newPage();
  guard(p, ran);
  await joinLive(p, session.join_code, "Akademisi");
  // The texts arrive as text, not markup.
  await expect(p.getByText(PAYLOADS[0], { exact: true })).toBeVisible();

  // More payloads arrive live on every open screen, and votes move them.
  for (const text of PAYLOADS.slice(-2)) {
    const r = await request.post(`/api/v1/questions/${question.id}/cards`, { headers: asWriter, data: { text } });
    expect(r.status(), text).toBe(201);
  }
  const voting = await request.put(`/api/v1/questions/${question.id}/phase`, { headers: auth, data: { phase: "voting" } });
  expect(voting.status()).toBe(200);
  await request.put(`/api/v1/cards/${cards[1]}/vote`, { headers: asWriter, data: { dots: 2 } });
  const last = PAYLOADS[PAYLOADS.length - 1];
  await expect(projector.getByText(last, { exact: true })).toBeVisible();
  await expect(console_.locator(".card-text").getByText(last, { exact: true })).toBeVisible();
  await expect(p.getByText(last, { exact: true })).toBeVisible();
  await check(p, ran, "phone");
  await check(console_, ran, "console");
  await check(projector, ran, "projector");
  await projector.getByRole("button", { name: "Grafik" }).click();
  await expect(projector.locator(".projector-chart img")).toBeVisible();
  await check(projector, ran, "projector chart");

  for (const path of [
    "/admin",
    `/admin/workshops/${workshop.id}`,
    `/admin/workshops/${workshop.id}/report`,
    `/admin/sessions/${session.id}/report`,
    `/api/v1/workshops/${workshop.id}/report?format=html`,
  ]) {
    const page = await staff.newPage();
    guard(page, ran);
    await page.goto(path);
    await page.waitForLoadState("networkidle");
    await check(page, ran, path);
    if (path.includes("report")) {
      await expect(page.getByText(PAYLOADS[0], { exact: true }).first()).toBeVisible();
    }
    await page.close();
  }

  expect(ran, "payloads executed").toEqual([]);
  console.log(`XSS corpus: ${PAYLOADS.length} payloads on 8 screens, 0 executed`);
  await Promise.all([staff.close(), phoneContext.close()]);
});
