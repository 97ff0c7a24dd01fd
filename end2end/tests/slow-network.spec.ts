import { BrowserContext, Page, expect, test } from "@playwright/test";
import { prepareRoom, setPhase, snapshot } from "./support";

// A cheap phone on a weak signal: 390×844, the network throttled through
// the Chrome DevTools Protocol to Slow 4G (150 ms round trip, 1.6 Mbps
// down, 750 kbps up). The join form must be usable and a vote must
// register, with WASM and without JavaScript at all. The times are printed
// as figures, not asserted: speed is measured in the benchmarks.

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

async function slow4g(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "with WASM" : "without JavaScript";

  test(`on Slow 4G ${mode}: the join form is usable and a vote registers`, async ({ browser, request }) => {
    const room = await prepareRoom(request, "Apa kendala sinyal di kecamatan Anda?");
    const context = await browser.newContext({ ...phone, javaScriptEnabled });
    const page = await context.newPage();
    await slow4g(context, page);

    const started = Date.now();
    await page.goto(`/j/${room.code}`);
    await expect(page.getByRole("button", { name: "Bergabung" })).toBeVisible();
    const formAt = Date.now() - started;
    await page.getByLabel("Komunitas").check();
    await page.getByLabel("Saya setuju ikut serta").check();
    await page.getByRole("button", { name: "Bergabung" }).click();
    await expect(page).toHaveURL(new RegExp(`/s/${room.code}$`));
    const text = "Sinyal hilang setiap hujan deras";
    await page.getByLabel("Masalah apa yang Anda lihat?").fill(text);
    await page.getByRole("button", { name: "Kirim kartu" }).click();
    await expect(page.locator(".card-text", { hasText: text })).toBeVisible({ timeout: 20_000 });

    await setPhase(request, room, "voting");
    if (javaScriptEnabled) {
      // The live stream brings the voting phase to the phone.
      await expect(page.getByRole("button", { name: "Tambah satu suara" })).toBeVisible({ timeout: 20_000 });
    } else {
      await page.reload();
    }
    const card = (await snapshot(request, room)).cards[0].id;
    const voteStarted = Date.now();
    await page.getByRole("button", { name: "Tambah satu suara" }).click();
    await expect(page.locator(`[data-my-dots='${card}']`)).toHaveText("1", { timeout: 20_000 });
    const voteTook = Date.now() - voteStarted;
    expect((await snapshot(request, room)).cards[0].dots).toBe(1);
    console.log(`Slow 4G ${mode}: join form usable after ${formAt} ms; a vote shown as registered after ${voteTook} ms`);
    await context.close();
  });
}
