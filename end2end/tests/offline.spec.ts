import { expect, test } from "@playwright/test";
import { holdAtWriteLimit, prepareRoom, setPhase, snapshot, joinLive } from "./support";

// The signal drops in the hall: a phone votes twice and writes a card while
// offline. Both wait on the phone ("waiting for signal"), and when the
// network returns they are delivered exactly once: one card, and the dots
// the phone showed (checked through the API).

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

test("offline votes and cards wait on the phone and arrive exactly once when the signal returns", async ({
  browser,
  request,
}) => {
  const room = await prepareRoom(request, "Layanan apa yang paling sulit dijangkau?");
  const auth = { Authorization: `Bearer ${room.token}` };
  // Someone else's card to vote on, then the question goes to voting.
  const other = await (
    await request.post("/api/v1/join", { data: { code: room.code, group: "academia", consent: true } })
  ).json();
  const target = await (
    await request.post(`/api/v1/questions/${room.question}/cards`, {
      headers: { Authorization: `Bearer ${other.token}` },
      data: { text: "Puskesmas jauh dari desa" },
    })
  ).json();
  await setPhase(request, room, "voting");
  // A second question still collecting cards.
  const second = await (
    await request.post(`/api/v1/sessions/${room.session}/questions`, {
      headers: auth,
      data: { dimension: "living", prompt: "Apa masalah air bersih?", kind: "problems" },
    })
  ).json();

  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await joinLive(page, room.code, "Komunitas");

  await context.setOffline(true);
  const plus = page.locator(".card", { hasText: "Puskesmas jauh dari desa" }).getByRole("button", {
    name: "Tambah satu suara",
  });
  await plus.click();
  await expect(page.locator(`[data-my-dots='${target.id}']`)).toHaveText("1");
  await plus.click();
  await expect(page.locator(`[data-my-dots='${target.id}']`)).toHaveText("2");
  const text = "Air PDAM mati tiga hari seminggu";
  await page.getByLabel("Masalah apa yang Anda lihat?").fill(text);
  await page.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(page.locator("[data-waiting-card]", { hasText: text })).toBeVisible();
  // One waiting vote (the second replaced the first) and one card.
  await expect(page.locator(".outbox-notice .banner")).toHaveAttribute("data-waiting", "2");
  await expect(page.locator(".outbox-notice")).toContainText("Menunggu sinyal");
  await page.screenshot({ path: "test-results/screens/offline-waiting-390.png", fullPage: true });
  // Nothing reached the server meanwhile.
  let snap = await snapshot(request, room);
  expect(snap.cards.filter((c: { text: string }) => c.text === text)).toHaveLength(0);
  expect(snap.cards.find((c: { id: string }) => c.id === target.id).dots).toBe(0);

  await context.setOffline(false);
  await expect(page.locator(".outbox-notice .banner")).toHaveCount(0, { timeout: 30_000 });
  await expect(page.locator("[data-waiting-card]")).toHaveCount(0);
  await expect(page.locator(".card-text", { hasText: text })).toBeVisible();
  snap = await snapshot(request, room);
  const delivered = snap.cards.filter((c: { text: string }) => c.text === text);
  expect(delivered).toHaveLength(1);
  expect(delivered[0].question_id).toBe(second.id);
  expect(snap.cards.find((c: { id: string }) => c.id === target.id).dots).toBe(2);
  await expect(page.locator(`[data-my-dots='${target.id}']`)).toHaveText("2");
  await context.close();
});

// A phone that was offline for long sends everything it kept at once, and
// a long queue meets the limit on one participant's writes (60 at once,
// then 5 a second). The server says how long to wait; the phone waits and
// goes on, so every card arrives, once, and nothing shows as refused.
test("a long queue that meets the write limit waits and arrives whole", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const room = await prepareRoom(request, "Apa saja masalah di kecamatan Anda?");
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await joinLive(page, room.code, "Komunitas");

  await context.setOffline(true);
  const count = 90;
  const field = page.getByLabel("Masalah apa yang Anda lihat?");
  const send = page.getByRole("button", { name: "Kirim kartu" });
  for (let i = 1; i <= count; i++) {
    await field.fill(`Kartu antre nomor ${i}`);
    await send.click();
    await expect(page.locator(".outbox-notice .banner")).toHaveAttribute("data-waiting", String(i));
  }

  await context.setOffline(false);
  await expect(page.locator(".outbox-notice .banner")).toHaveCount(0, { timeout: 90_000 });
  await expect(page.locator(".toast-area .error-box")).toHaveCount(0);
  const snap = await snapshot(request, room);
  const texts: string[] = snap.cards.map((c: { text: string }) => c.text).filter((t: string) => t.startsWith("Kartu antre"));
  expect(texts).toHaveLength(count);
  expect(new Set(texts).size).toBe(count);
  await context.close();
});

// The server can also ask a phone to wait: its database was busy (503), or
// the phone wrote faster than one participant may (429). A vote or card the
// person has just made then waits on the phone like one made without
// signal, the banner says the server is busy, and it arrives once when the
// server takes it: the person has nothing to do again.
test("a vote and a card the server asks to wait for wait on the phone and arrive once", async ({
  browser,
  request,
}) => {
  test.setTimeout(90_000);
  const room = await prepareRoom(request, "Di mana jalan desa paling rusak?");
  const auth = { Authorization: `Bearer ${room.token}` };
  const other = await (
    await request.post("/api/v1/join", { data: { code: room.code, group: "academia", consent: true } })
  ).json();
  const card = async (text: string) =>
    (
      await request.post(`/api/v1/questions/${room.question}/cards`, {
        headers: { Authorization: `Bearer ${other.token}` },
        data: { text },
      })
    ).json();
  const spare = await card("Jembatan gantung putus");
  const targets = [
    await card("Jalan Kluet Utara berlubang"),
    await card("Jalan ke Trumon longsor"),
    await card("Jalan Bakongan banjir"),
  ];
  await setPhase(request, room, "voting");
  const second = await (
    await request.post(`/api/v1/sessions/${room.session}/questions`, {
      headers: auth,
      data: { dimension: "living", prompt: "Apa masalah angkutan umum?", kind: "problems" },
    })
  ).json();

  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await joinLive(page, room.code, "Komunitas");

  // Keep this participant's writes at the limit, from the phone's own
  // session.
  const stop = await holdAtWriteLimit(context, spare.id);

  const banner = page.locator(".outbox-notice .banner");
  // A token the limit refills could let one write through at once; then
  // the next card is tried. One refused vote is what this test is about.
  const waiting: string[] = [];
  for (const target of targets) {
    const plus = page.locator(".card", { hasText: target.text }).getByRole("button", { name: "Tambah satu suara" });
    await plus.click();
    await expect(page.locator(`[data-my-dots='${target.id}']`)).toHaveText("1");
    if ((await banner.count()) > 0) {
      waiting.push(target.id);
      break;
    }
  }
  expect(waiting, "one vote met the limit and waits on the phone").toHaveLength(1);
  await expect(banner).toContainText("Server sedang sibuk");
  await expect(page.locator(".toast-area .error-box")).toHaveCount(0);

  const field = page.getByLabel("Masalah apa yang Anda lihat?");
  const texts: string[] = [];
  for (let i = 1; i <= 3 && (await page.locator("[data-waiting-card]").count()) === 0; i++) {
    const text = `Bus ke Tapaktuan hanya sekali sehari (${i})`;
    texts.push(text);
    await field.fill(text);
    await page.getByRole("button", { name: "Kirim kartu" }).click();
    // Sent or waiting, the form is free for the next card.
    await expect(field).toHaveValue("");
  }
  await expect(page.locator("[data-waiting-card]")).toHaveCount(1);
  await expect(page.locator("[data-waiting-card]")).toContainText("Belum terkirim");
  await expect(page.locator(".toast-area .error-box")).toHaveCount(0);
  await page.screenshot({ path: "test-results/screens/server-busy-waiting-390.png", fullPage: true });

  // The limit only ever answered "done" or "wait".
  expect(await stop()).toEqual([200, 429]);
  await expect(banner).toHaveCount(0, { timeout: 30_000 });
  await expect(page.locator("[data-waiting-card]")).toHaveCount(0);
  await expect(page.locator(".toast-area .error-box")).toHaveCount(0);
  const snap = await snapshot(request, room);
  for (const text of texts) {
    const delivered = snap.cards.filter((c: { text: string }) => c.text === text);
    expect(delivered, text).toHaveLength(1);
    expect(delivered[0].question_id).toBe(second.id);
  }
  // Every vote the phone made counts once: any that went through at once,
  // and the one that waited.
  const last = targets.findIndex((t) => t.id === waiting[0]);
  targets.forEach((target, i) => {
    expect(snap.cards.find((c: { id: string }) => c.id === target.id).dots, target.text).toBe(i <= last ? 1 : 0);
  });
  await expect(page.locator(`[data-my-dots='${waiting[0]}']`)).toHaveText("1");
  await context.close();
});
