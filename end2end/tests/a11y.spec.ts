import AxeBuilder from "@axe-core/playwright";
import { Locator, Page, expect, test } from "@playwright/test";
import { ADMIN, outlineProblems, prepareRoom, setPhase, snapshot, waitLive } from "./support";

// WCAG 2.2 AA on the pages participants and the hall see: the join page,
// the question page on a phone (collecting and voting), and the projector.
// Figure: serious or critical violations = 0 on each.

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

async function audit(page: Page, name: string) {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const described = bad.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).join("\n    ")}`,
  );
  console.log(
    `axe ${name}: ${result.passes.length} rules passed, ${result.violations.length} violations, ${bad.length} serious or critical`,
  );
  expect(described, `${name}:\n${described.join("\n")}`).toEqual([]);
}

test("join, question and projector pages have no serious or critical accessibility violations", async ({
  browser,
  request,
}) => {
  const room = await prepareRoom(request, "Apa hambatan utama layanan administrasi kependudukan?");

  const context = await browser.newContext(phone);
  const p = await context.newPage();
  await p.goto(`/j/${room.code}`);
  await audit(p, "join page");

  await p.getByLabel("Akademisi").check();
  await p.getByLabel("Saya setuju ikut serta").check();
  await p.getByRole("button", { name: "Bergabung" }).click();
  await waitLive(p);
  const text = "Blanko KTP elektronik sering habis di kecamatan";
  await p.getByLabel("Masalah apa yang Anda lihat?").fill(text);
  await p.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(p.locator(".card-text", { hasText: text })).toBeVisible();
  await audit(p, "question page (collecting)");

  await setPhase(request, room, "voting");
  await expect(p.getByRole("button", { name: "Tambah satu suara" })).toBeVisible();
  await audit(p, "question page (voting)");

  const hall = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  expect((await hall.request.post("/api/v1/auth/login", { data: ADMIN })).status()).toBe(200);
  const projector = await hall.newPage();
  await projector.goto(`/admin/sessions/${room.session}/screen`);
  await expect(projector.locator(".projector-code")).toBeVisible();
  await expect(projector.getByText(text)).toBeVisible();
  await audit(projector, "projector");

  await Promise.all([context.close(), hall.close()]);
});

/** Presses Tab until `target` has the focus (at most `max` times). */
async function tabTo(page: Page, target: Locator, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
  }
  throw new Error(`${target} never took the focus in ${max} presses of Tab`);
}

// What a participant who cannot use a touch screen, or who listens to a
// screen reader, does: skip the header, join with the keyboard alone in
// reading order, write a card, vote. The vote buttons say which card they
// act on (their description is the card's text), since a screen reader
// moving from button to button hears nothing else.
test("a keyboard alone joins, writes a card and votes, and each vote button names its card", async ({
  browser,
  request,
}) => {
  const room = await prepareRoom(request, "Di mana layanan publik paling sulit dijangkau?");
  const context = await browser.newContext(phone);
  const p = await context.newPage();
  await p.goto(`/j/${room.code}`);

  await p.keyboard.press("Tab");
  await expect(p.getByRole("link", { name: "Langsung ke isi" })).toBeFocused();
  await p.keyboard.press("Enter");
  // From the skip link straight into the form: the group comes first.
  await p.keyboard.press("Tab");
  const groups = p.getByRole("radio");
  await expect(groups.first()).toBeFocused();
  await p.keyboard.press("ArrowDown");
  await expect(groups.nth(1)).toBeChecked();
  await p.keyboard.press("Tab");
  await expect(p.getByLabel("Nama (boleh dikosongkan)")).toBeFocused();
  await p.keyboard.type("Rahmah");
  await p.keyboard.press("Tab");
  await expect(p.getByLabel("Saya setuju ikut serta")).toBeFocused();
  await p.keyboard.press("Space");
  await p.keyboard.press("Tab");
  await expect(p.getByRole("button", { name: "Bergabung" })).toBeFocused();
  await p.keyboard.press("Enter");
  await waitLive(p);

  const text = "Warga Kluet Timur harus ke Tapaktuan untuk mengurus akta";
  await tabTo(p, p.getByLabel("Masalah apa yang Anda lihat?"));
  await p.keyboard.type(text);
  await tabTo(p, p.getByRole("button", { name: "Kirim kartu" }));
  await p.keyboard.press("Enter");
  await expect(p.locator(".card-text", { hasText: text })).toBeVisible();
  // Said, not only drawn: the card lands in the list below the form, where
  // a screen reader is not (Orca heard nothing here before this status).
  await expect(p.getByRole("status").filter({ hasText: "Kartu terkirim." })).toHaveCount(1);

  await setPhase(request, room, "voting");
  const plus = p.getByRole("button", { name: "Tambah satu suara" });
  await expect(plus).toBeEnabled();
  await expect(plus).toHaveAccessibleDescription(text);
  await expect(p.getByRole("button", { name: "Tarik satu suara" })).toHaveAccessibleDescription(text);
  await tabTo(p, plus);
  await p.keyboard.press("Enter");
  await expect(p.locator("[data-my-dots]")).toHaveText("1");
  await expect.poll(async () => (await snapshot(request, room)).cards[0].dots).toBe(1);

  await context.close();
});

// A screen reader's basic navigation on a phone, and what it says without
// the reader moving: a question the facilitator opens, and a phase change,
// come from polite status regions (announced, not stealing the focus).
test("a screen reader finds its way by landmarks and headings, and hears a new question and a phase change", async ({
  browser,
  request,
}) => {
  const room = await prepareRoom(request, "Apa hambatan utama layanan administrasi kependudukan?");
  const context = await browser.newContext(phone);
  const p = await context.newPage();
  await p.goto(`/j/${room.code}`);
  expect(await outlineProblems(p, { title: "Hari 1" }), "join page").toEqual([]);

  await p.getByLabel("Akademisi").check();
  await p.getByLabel("Saya setuju ikut serta").check();
  await p.getByRole("button", { name: "Bergabung" }).click();
  await waitLive(p);
  expect(await outlineProblems(p, { title: "Hari 1" }), "question page").toEqual([]);
  const spoken = (text: string) => p.getByRole("status").filter({ hasText: text });
  await expect(spoken("Tulis satu masalah atau gagasan per kartu.")).toHaveCount(1);

  await setPhase(request, room, "voting");
  await expect(spoken("Bagikan suara Anda pada kartu yang paling penting.")).toHaveCount(1);

  const prompt = "Gagasan apa yang bisa dimulai tahun ini?";
  const r = await request.post(`/api/v1/sessions/${room.session}/questions`, {
    headers: { Authorization: `Bearer ${room.token}` },
    data: { dimension: "governance", prompt, kind: "ideas" },
  });
  expect(r.status()).toBe(201);
  await expect(spoken(`Pertanyaan terbuka: ${prompt}`)).toHaveCount(1);
  expect(await outlineProblems(p, { title: "Hari 1" }), "question page with two questions").toEqual([]);

  await context.close();
});
