import { expect, test } from "@playwright/test";
import { ADMIN, prepareRoom, waitLive } from "./support";

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

// A facilitator who sets a passcode in the middle of a session: the hall
// reads it off the projector, which must show it at once, without a reload.
test("a passcode set mid-session shows on the projector at once, and a phone joins with it", async ({
  browser,
  request,
}) => {
  const room = await prepareRoom(request, "Layanan apa yang paling perlu dibuat daring?");
  const hall = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  expect((await hall.request.post("/api/v1/auth/login", { data: ADMIN })).status()).toBe(200);
  const projector = await hall.newPage();
  await projector.goto(`/admin/sessions/${room.session}/screen`);
  await waitLive(projector);
  const shown = projector.locator(".projector-code.passcode");
  await expect(shown).toHaveCount(0);

  const set = (passcode: string | null) =>
    request.put(`/api/v1/sessions/${room.session}/passcode`, {
      headers: { Authorization: `Bearer ${room.token}` },
      data: { passcode },
    });
  expect((await set("kopi-42")).status()).toBe(200);
  await expect(shown).toHaveText("KOPI42");

  // Someone in the hall types what the screen shows.
  const context = await browser.newContext(phone);
  const p = await context.newPage();
  await p.goto(`/j/${room.code}`);
  await p.getByLabel("Akademisi").check();
  await p.getByLabel("Kata sandi sesi").fill((await shown.textContent()) ?? "");
  await p.getByLabel("Saya setuju ikut serta").check();
  await p.getByRole("button", { name: "Bergabung" }).click();
  await waitLive(p);

  expect((await set(null)).status()).toBe(200);
  await expect(shown).toHaveCount(0);
  await Promise.all([context.close(), hall.close()]);
});
