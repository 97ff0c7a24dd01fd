import { expect, test } from "@playwright/test";
import { holdAtWriteLimit, prepareRoom, setPhase, snapshot } from "./support";

test.use({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });

test("join, write a card, vote and take the vote back with JavaScript disabled", async ({ page, request }) => {
  const room = await prepareRoom(request, "Apa masalah lingkungan di desa Anda?");
  await page.goto("/");
  await page.getByLabel("Kode sesi").fill(room.code);
  await page.getByRole("button", { name: "Masuk sesi" }).click();
  await page.getByLabel("Komunitas").check();
  await page.getByLabel("Saya setuju ikut serta").check();
  await page.getByRole("button", { name: "Bergabung" }).click();
  await expect(page).toHaveURL(new RegExp(`/s/${room.code}$`));
  await expect(page.getByText("Halaman ini belum diperbarui otomatis.")).toBeVisible();

  await page.getByLabel("Masalah apa yang Anda lihat?").fill("Sampah menumpuk di sungai");
  await page.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(page.locator(".card-text", { hasText: "Sampah menumpuk di sungai" })).toBeVisible();

  await setPhase(request, room, "voting");
  await page.reload();
  const card = (await snapshot(request, room)).cards[0].id;
  await page.getByRole("button", { name: "Tambah satu suara" }).click();
  await expect(page.locator(`[data-my-dots='${card}']`)).toHaveText("1");
  await page.getByRole("button", { name: "Tambah satu suara" }).click();
  await expect(page.locator(`[data-my-dots='${card}']`)).toHaveText("2");
  expect((await snapshot(request, room)).cards[0].dots).toBe(2);
  await page.getByRole("button", { name: "Tarik satu suara" }).click();
  await expect(page.locator(`[data-my-dots='${card}']`)).toHaveText("1");
  expect((await snapshot(request, room)).cards[0].dots).toBe(1);
  await page.screenshot({ path: "test-results/screens/phone-no-js.png", fullPage: true });
});

// Without scripts there is no outbox on the phone: a card the server asks
// to wait for (here the limit on one participant's writes) must say so on
// the page that comes back, so that the person sends it again.
test("a card posted without JavaScript that the server asks to wait for says so", async ({ page, request }) => {
  const room = await prepareRoom(request, "Apa masalah pasar di kecamatan Anda?");
  const auth = { Authorization: `Bearer ${room.token}` };
  const other = await (
    await request.post("/api/v1/join", { data: { code: room.code, group: "academia", consent: true } })
  ).json();
  // A second question, in voting, with a card to cast no-op votes on.
  const second = await (
    await request.post(`/api/v1/sessions/${room.session}/questions`, {
      headers: auth,
      data: { dimension: "economy", prompt: "Pasar mana yang paling ramai?", kind: "problems" },
    })
  ).json();
  const spare = await (
    await request.post(`/api/v1/questions/${second.id}/cards`, {
      headers: { Authorization: `Bearer ${other.token}` },
      data: { text: "Pasar Tapaktuan" },
    })
  ).json();
  const phase = await request.put(`/api/v1/questions/${second.id}/phase`, { headers: auth, data: { phase: "voting" } });
  expect(phase.status()).toBe(200);

  await page.goto(`/j/${room.code}`);
  await page.getByLabel("Komunitas").check();
  await page.getByLabel("Saya setuju ikut serta").check();
  await page.getByRole("button", { name: "Bergabung" }).click();
  await expect(page).toHaveURL(new RegExp(`/s/${room.code}$`));

  // This participant's own session (its cookie) keeps its writes at the
  // limit.
  const stop = await holdAtWriteLimit(page.context(), spare.id);

  // A token the limit refills could let one post through; then the next is
  // tried.
  const field = page.getByLabel("Masalah apa yang Anda lihat?");
  const refusal = page.getByText("Terlalu banyak permintaan. Coba lagi dalam");
  let refused = "";
  for (let i = 1; i <= 3 && !refused; i++) {
    const text = `Lapak pasar becek (${i})`;
    await field.fill(text);
    await page.getByRole("button", { name: "Kirim kartu" }).click();
    await page.waitForLoadState();
    if (await refusal.isVisible()) refused = text;
  }
  expect(refused, "a plain post met the limit and the page says so").not.toBe("");
  // The page says how long to wait; the person waits that long.
  const seconds = Number((await refusal.textContent())?.match(/(\d+) detik/)?.[1] ?? "1");
  await stop();
  const sent = (await snapshot(request, room)).cards.filter((c: { text: string }) => c.text === refused);
  expect(sent).toHaveLength(0);

  // Sent again once the wait is over, it goes through.
  await page.waitForTimeout(seconds * 1_000);
  await field.fill(refused);
  await page.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(page.locator(".card-text", { hasText: refused })).toBeVisible();
  await expect(refusal).toHaveCount(0);
});
