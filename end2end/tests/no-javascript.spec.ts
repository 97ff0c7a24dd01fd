import { expect, test } from "@playwright/test";
import { prepareRoom, setPhase, snapshot } from "./support";

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
