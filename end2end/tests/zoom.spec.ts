import { Page, expect, test } from "@playwright/test";
import { ADMIN, outlineProblems, prepareRoom, setPhase, snapshot, waitLive } from "./support";

// The participant's phone at 390 px with text at 200 % (the browser's
// larger-text setting scales the root font size; so does this test): no
// sideways scrolling, every control reachable, touch targets at least
// 44×44 px, a vote still registers. And what a screen reader user
// navigates by: one main landmark, one h1, headings that never skip a
// level, named buttons and fields, announced status messages.

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

async function zoomText(page: Page) {
  await page.addStyleTag({ content: "html { font-size: 200% !important; }" });
}

/** Fails with a list of what is wrong instead of the first thing. */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) {
      problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} px wide in ${width} px`);
    }
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).split(" ").join(".") : ""} "${(el.textContent ?? "").trim().slice(0, 30)}"`;
    // Controls a thumb must hit: buttons, fields, and the labels around
    // radio buttons and check boxes (the label is the target).
    const targets = [
      ...document.querySelectorAll("main button, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), main textarea, main select"),
      ...[...document.querySelectorAll("main input[type=radio], main input[type=checkbox]")].map(
        (i) => (i.id ? document.querySelector(`label[for="${i.id}"]`) : null) ?? i.closest("label") ?? i,
      ),
    ];
    for (const el of targets) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not shown (a closed <details>)
      if (r.height < 44 || r.width < 44) {
        problems.push(`touch target under 44×44 px (${Math.round(r.width)}×${Math.round(r.height)}): ${describe(el)}`);
      }
      if (r.right > width + 1) problems.push(`control off screen to the right: ${describe(el)}`);
    }
    return problems;
  });
}

test("at 200 % text on a 390 px phone nothing scrolls sideways, targets stay 44 px, and a vote registers", async ({
  browser,
  request,
}) => {
  const room = await prepareRoom(request, "Apa hambatan utama layanan administrasi kependudukan di kecamatan?");
  const context = await browser.newContext(phone);
  const p = await context.newPage();

  await p.goto(`/j/${room.code}`);
  await zoomText(p);
  expect(await layoutProblems(p), "join page").toEqual([]);
  expect(await outlineProblems(p), "join page").toEqual([]);
  await p.screenshot({ path: "test-results/screens/join-200pct-390.png", fullPage: true });

  await p.getByLabel("Akademisi").check();
  await p.getByLabel("Saya setuju ikut serta").check();
  await p.getByRole("button", { name: "Bergabung" }).click();
  await waitLive(p);
  await zoomText(p);
  const text = "Blanko KTP elektronik sering habis di kecamatan Kluet Utara dan warga harus kembali berkali-kali";
  await p.getByLabel("Masalah apa yang Anda lihat?").fill(text);
  await p.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(p.locator(".card-text", { hasText: text })).toBeVisible();
  expect(await layoutProblems(p), "question page (collecting)").toEqual([]);
  expect(await outlineProblems(p), "question page (collecting)").toEqual([]);

  await setPhase(request, room, "voting");
  const plus = p.getByRole("button", { name: "Tambah satu suara" });
  await expect(plus).toBeVisible();
  // Open every folded part (the rating among them): its controls are
  // targets as well.
  await p.evaluate(() => document.querySelectorAll("main details").forEach((d) => ((d as HTMLDetailsElement).open = true)));
  await expect(p.locator(".scale-options label").first()).toBeVisible();
  expect(await layoutProblems(p), "question page (voting)").toEqual([]);
  expect(await outlineProblems(p), "question page (voting)").toEqual([]);
  await p.screenshot({ path: "test-results/screens/question-200pct-390.png", fullPage: true });
  await plus.click();
  const card = (await snapshot(request, room)).cards[0].id;
  await expect(p.locator(`[data-my-dots='${card}']`)).toHaveText("1");

  // What a screen reader announces as the page's parts.
  await expect(p.getByRole("main")).toHaveCount(1);
  await expect(p.getByRole("group", { name: /suara/i }).first()).toBeVisible();
  await expect(p.locator("[role=status]").first()).toBeAttached();

  // The projector at 1080p keeps the join code visible with 200 % text.
  const hall = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  expect((await hall.request.post("/api/v1/auth/login", { data: ADMIN })).status()).toBe(200);
  const projector = await hall.newPage();
  await projector.goto(`/admin/sessions/${room.session}/screen`);
  await expect(projector.locator(".projector-code")).toBeInViewport();
  expect(await outlineProblems(projector, { landmarks: ["main"] }), "projector").toEqual([]);

  await Promise.all([context.close(), hall.close()]);
});
