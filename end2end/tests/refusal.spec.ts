import { expect, test } from "@playwright/test";
import { joinLive, prepareRoom, setPhase, snapshot, waitLive } from "./support";

// The server refuses a vote the phone thought it could make: the live
// stream is cut, so the phone has not heard that the facilitator closed
// the question. The refusal shows once, in the person's language, and goes
// away when the next vote goes through.

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

test("a refused vote says why, once, and the next vote that goes through clears it", async ({ browser, request }) => {
  const room = await prepareRoom(request, "Apa hambatan layanan publik di kecamatan?");
  const other = await (
    await request.post("/api/v1/join", { data: { code: room.code, group: "academia", consent: true } })
  ).json();
  const card = await (
    await request.post(`/api/v1/questions/${room.question}/cards`, {
      headers: { Authorization: `Bearer ${other.token}` },
      data: { text: "Antrean KTP berhari-hari" },
    })
  ).json();
  await setPhase(request, room, "voting");

  const context = await browser.newContext(phone);
  const page = await context.newPage();
  // No live stream: every attempt to open it fails, as on a network that
  // drops long-lived connections.
  await page.route("**/api/v1/sessions/*/events*", (route) => route.abort());
  await page.goto(`/j/${room.code}`);
  await page.getByLabel("Komunitas").check();
  await page.getByLabel("Saya setuju ikut serta").check();
  await page.getByRole("button", { name: "Bergabung" }).click();
  await expect(page).toHaveURL(new RegExp(`/s/${room.code}$`));
  // Hydrated, and the stream is down.
  await expect(page.locator("main[data-live='reconnecting']")).toBeVisible();

  await setPhase(request, room, "closed");
  const plus = page.locator(".card", { hasText: "Antrean KTP berhari-hari" }).getByRole("button", {
    name: "Tambah satu suara",
  });
  await plus.click();
  const alert = page.locator(".toast-area").getByRole("alert");
  await expect(alert).toHaveText("Pemungutan suara tidak dibuka saat pertanyaan dalam tahap ditutup.");
  await expect(alert).toHaveCount(1);
  await expect(page.locator(`[data-my-dots='${card.id}']`)).toHaveText("0");

  await setPhase(request, room, "voting");
  await plus.click();
  await expect(page.locator(`[data-my-dots='${card.id}']`)).toHaveText("1");
  await expect(alert).toHaveCount(0);
  const snap = await snapshot(request, room);
  expect(snap.cards.find((c: { id: string }) => c.id === card.id).dots).toBe(1);
  await context.close();
});

// A card sent before the page's scripts ran, and refused: the server sends
// the post back to its page with the error in the address. The page says
// why (the server rendered it), comes alive with the same error in place,
// and the next card goes through and clears it.
test("a refused plain post says why, and the page comes alive around it", async ({ browser, request }) => {
  const room = await prepareRoom(request, "Apa hambatan layanan publik di desa?");
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await joinLive(page, room.code, "Komunitas");

  // The form as a browser without scripts posts it: spaces pass
  // `required`, not the server.
  const posted = await page.request.post("/fn/submit_card", {
    form: { question_id: room.question, text: "   " },
    headers: { accept: "text/html", referer: page.url() },
    maxRedirects: 0,
  });
  expect(posted.status()).toBe(302);
  const back = posted.headers()["location"];
  expect(back).toContain("__err=");
  await page.goto(back);
  const alert = page.locator(".card-form").getByRole("alert");
  await expect(alert).toHaveText("Teks kartu wajib diisi.");
  await waitLive(page);
  await expect(alert).toHaveCount(1);

  await page.getByLabel("Masalah apa yang Anda lihat?").fill("Jaringan internet desa putus-putus");
  await page.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(page.locator(".card", { hasText: "Jaringan internet desa putus-putus" })).toBeVisible();
  await expect(alert).toHaveCount(0);
  const snap = await snapshot(request, room);
  expect(snap.cards.map((c: { text: string }) => c.text)).toEqual(["Jaringan internet desa putus-putus"]);
  expect(errors).toEqual([]);
  await context.close();
});
