import { expect, test } from "@playwright/test";
import { prepareRoom, setPhase, snapshot, joinLive } from "./support";

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
