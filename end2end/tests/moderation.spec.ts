import { expect, test } from "@playwright/test";
import { ADMIN, prepareRoom, waitLive, joinLive } from "./support";

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

test("a facilitator hides and merges cards; phones and the projector follow; a countdown ends the phase everywhere", async ({
  browser,
  request,
}) => {
  const room = await prepareRoom(request, "Apa masalah infrastruktur di kecamatan Anda?");
  const texts = ["Kata-kata kasar di sini", "jalan rusak di Kluet", "kerusakan jalan di kecamatan Kluet", "Sampah di pantai"];
  for (const [i, text] of texts.entries()) {
    const joined = await (
      await request.post("/api/v1/join", { data: { code: room.code, group: ["media", "academia", "community", "business"][i], consent: true } })
    ).json();
    const r = await request.post(`/api/v1/questions/${room.question}/cards`, {
      headers: { Authorization: `Bearer ${joined.token}` },
      data: { text },
    });
    expect(r.status()).toBe(201);
  }

  // A participant's phone.
  const phoneContext = await browser.newContext(phone);
  const p = await phoneContext.newPage();
  await joinLive(p, room.code, "Pemerintah (OPD/SKPK)");
  for (const text of texts) await expect(p.locator(".card-text", { hasText: text })).toBeVisible();

  // The projector and the console, signed in.
  const staff = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  expect((await staff.request.post("/api/v1/auth/login", { data: ADMIN })).status()).toBe(200);
  const projector = await staff.newPage();
  await projector.goto(`/admin/sessions/${room.session}/screen`);
  await waitLive(projector);
  const console = await staff.newPage();
  await console.goto(`/admin/sessions/${room.session}`);
  await waitLive(console);

  // Hide a card, with a reason.
  const rude = console.locator(".console-main li.console-card", { hasText: texts[0] });
  await rude.locator("summary", { hasText: "Sembunyikan" }).click();
  await rude.getByLabel("Alasan").fill("Bahasa tidak pantas");
  await rude.getByRole("button", { name: "Sembunyikan" }).click();
  await expect(p.locator(".card-text", { hasText: texts[0] })).toHaveCount(0);
  await expect(projector.locator(".projector-card-text", { hasText: texts[0] })).toHaveCount(0);
  await expect(console.locator("li.console-card[data-status='hidden']", { hasText: texts[0] })).toHaveCount(1);

  // Merge the two road cards.
  for (const text of [texts[1], texts[2]]) {
    await console.locator(".console-main li.console-card[data-status='visible']", { hasText: text }).locator("input[type=checkbox]").check();
  }
  const bar = console.locator("form.merge-bar");
  await bar.getByLabel("Gabungkan kartu yang dicentang menjadi").fill("Jalan rusak di Kecamatan Kluet Tengah");
  await bar.getByRole("button", { name: "Gabungkan" }).click();
  await expect(p.locator(".card-text", { hasText: "Jalan rusak di Kecamatan Kluet Tengah" })).toBeVisible();
  await expect(p.locator(".card-text", { hasText: texts[1] })).toHaveCount(0);
  await expect(p.locator(".card-text", { hasText: texts[2] })).toHaveCount(0);
  await expect(projector.locator(".projector-card-text", { hasText: "Jalan rusak di Kecamatan Kluet Tengah" })).toBeVisible();
  await expect(projector.locator(".projector-card-text", { hasText: texts[1] })).toHaveCount(0);

  // The audit log records both.
  const audit = await (await staff.request.get(`/api/v1/sessions/${room.session}/audit`)).json();
  expect(audit.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(["hide", "merge"]));

  // A short countdown ends the collecting phase on every screen.
  const timer = await staff.request.put(`/api/v1/questions/${room.question}/timer`, { data: { seconds: 3 } });
  expect(timer.status()).toBe(200);
  await expect(p.locator(".countdown")).toBeVisible();
  await expect(projector.locator(".countdown")).toBeVisible();
  await expect(p.getByText("Sisa suara: 3 dari 3")).toBeVisible({ timeout: 15_000 });
  await expect(projector.locator(".pill.phase-voting")).toBeVisible();
  await expect(console.locator(`[data-question='${room.question}'][data-phase='voting']`)).toBeVisible();
  await expect(p.locator(".countdown")).toHaveCount(0);

  await console.screenshot({ path: "test-results/screens/console.png", fullPage: true });
  await p.screenshot({ path: "test-results/screens/phone-after-moderation.png", fullPage: true });
  await staff.close();
  await phoneContext.close();
});

test("a premoderated card waits on the writer's phone until approved", async ({ browser, request }) => {
  const room = await prepareRoom(request, "Masalah air bersih?");
  const token = (await (await request.post("/api/v1/auth/login", { data: ADMIN })).json()).token;
  await request.put(`/api/v1/sessions/${room.session}/moderation`, {
    headers: { Authorization: `Bearer ${token}` },
    data: { premoderate: true },
  });
  const context = await browser.newContext(phone);
  const p = await context.newPage();
  await joinLive(p, room.code, "Komunitas");
  await expect(p.getByText("Kartu akan tampil setelah disetujui fasilitator.")).toBeVisible();
  await p.getByLabel("Masalah apa yang Anda lihat?").fill("Air PDAM keruh");
  await p.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(p.locator(".my-unseen .card-text", { hasText: "Air PDAM keruh" })).toBeVisible();
  await expect(p.getByText("Menunggu persetujuan")).toBeVisible();
  const snapshot = await (await request.get(`/api/v1/sessions/${room.session}`, { headers: { Authorization: `Bearer ${token}` } })).json();
  const card = snapshot.cards[0].id;
  await request.post(`/api/v1/cards/${card}/approve`, { headers: { Authorization: `Bearer ${token}` } });
  await expect(p.locator("ol.cards .card-text", { hasText: "Air PDAM keruh" })).toBeVisible();
  await expect(p.locator(".my-unseen")).toHaveCount(0);
  await context.close();
});
