import { expect, test } from "@playwright/test";
import { prepareRoom, setPhase, snapshot, waitLive, joinLive } from "./support";

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

test("a participant joins by code, writes a card and votes; the projector follows live", async ({ browser, request }) => {
  const room = await prepareRoom(request, "Apa masalah utama pelayanan publik di kecamatan?");

  const screen = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const login = await screen.request.post("/api/v1/auth/login", {
    data: { email: "admin@acehselatankab.go.id", password: "kopi-sanger-pagi" },
  });
  expect(login.status()).toBe(200);
  const projector = await screen.newPage();
  await projector.goto(`/admin/sessions/${room.session}/screen`);
  await expect(projector.getByText(`${room.code.slice(0, 3)} ${room.code.slice(3)}`)).toBeVisible();
  await waitLive(projector);

  const phoneContext = await browser.newContext(phone);
  const p = await phoneContext.newPage();
  await p.goto("/");
  await p.getByLabel("Kode sesi").fill(room.code);
  await p.getByRole("button", { name: "Masuk sesi" }).click();
  await expect(p.getByRole("heading", { name: "Hari 1" })).toBeVisible();
  await p.getByLabel("Akademisi").check();
  await p.getByLabel("Saya setuju ikut serta").check();
  await p.getByRole("button", { name: "Bergabung" }).click();
  await expect(p).toHaveURL(new RegExp(`/s/${room.code}$`));
  await waitLive(p);
  await expect(projector.getByText("1 peserta bergabung")).toBeVisible();

  const text = "Antrean KTP di kantor camat sangat panjang";
  await p.getByLabel("Masalah apa yang Anda lihat?").fill(text);
  await p.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(p.locator(".card-text", { hasText: text })).toBeVisible();
  await expect(p.getByLabel("Masalah apa yang Anda lihat?")).toHaveValue("");
  // The projector shows the card without reloading.
  await expect(projector.locator(".projector-card-text", { hasText: text })).toBeVisible();

  await setPhase(request, room, "voting");
  await expect(p.getByText("Sisa suara: 3 dari 3")).toBeVisible();
  const card = (await snapshot(request, room)).cards[0].id;
  await p.getByRole("button", { name: "Tambah satu suara" }).click();
  await expect(p.locator(`[data-my-dots='${card}']`)).toHaveText("1");
  await p.getByRole("button", { name: "Tambah satu suara" }).click();
  await expect(p.locator(`[data-my-dots='${card}']`)).toHaveText("2");
  await expect(p.getByText("Sisa suara: 1 dari 3")).toBeVisible();
  await expect(projector.locator(`[data-tally='${card}']`)).toHaveText("2");

  await p.getByRole("button", { name: "Tarik satu suara" }).click();
  await expect(p.locator(`[data-my-dots='${card}']`)).toHaveText("1");
  await expect(projector.locator(`[data-tally='${card}']`)).toHaveText("1");
  expect((await snapshot(request, room)).cards[0].dots).toBe(1);

  await setPhase(request, room, "closed");
  await expect(p.getByText("Pertanyaan yang sudah ditutup")).toBeVisible();
  await p.screenshot({ path: "test-results/screens/phone-session.png", fullPage: true });
  await projector.screenshot({ path: "test-results/screens/projector.png" });
  await screen.close();
  await phoneContext.close();
});

test("over budget shows a clear message on the phone", async ({ browser, request }) => {
  const room = await prepareRoom(request, "Masalah transportasi?");
  const context = await browser.newContext(phone);
  const p = await context.newPage();
  await joinLive(p, room.code, "Media");
  await p.getByLabel("Masalah apa yang Anda lihat?").fill("Angkutan desa jarang");
  await p.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(p.locator(".card-text", { hasText: "Angkutan desa jarang" })).toBeVisible();
  await setPhase(request, room, "voting");
  const plus = p.getByRole("button", { name: "Tambah satu suara" });
  for (let i = 1; i <= 3; i++) {
    await plus.click();
    await expect(p.getByText(`Sisa suara: ${3 - i} dari 3`)).toBeVisible();
  }
  await expect(plus).toBeDisabled();
  await context.close();
});
