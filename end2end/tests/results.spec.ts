import { expect, test } from "@playwright/test";
import { adminToken, prepareRoom, setPhase, snapshot, waitLive, joinLive } from "./support";

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const SECRETARIAT = { email: "sekretariat@acehselatankab.go.id", password: "rahasia-sekretariat-1" };

test("a participant rates a problem; the projector charts it; the secretariat reads the roll-up and downloads Word", async ({
  browser,
  request,
}) => {
  const room = await prepareRoom(request, "Masalah apa yang paling mendesak di layanan publik?");
  const admin = await adminToken(request);
  const added = await request.post("/api/v1/users", {
    headers: { Authorization: `Bearer ${admin}` },
    data: { ...SECRETARIAT, role: "secretariat" },
  });
  expect([201, 409]).toContain(added.status());

  // A phone joins and writes a problem.
  const phoneContext = await browser.newContext(phone);
  const p = await phoneContext.newPage();
  await joinLive(p, room.code, "Komunitas");
  const text = "Jaringan internet kantor desa sering putus";
  await p.getByLabel("Masalah apa yang Anda lihat?").fill(text);
  await p.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(p.locator(".card-text", { hasText: text })).toBeVisible();

  // Voting: a dot and a USG rating from the phone.
  await setPhase(request, room, "voting");
  const card = (await snapshot(request, room)).cards[0].id;
  await p.getByRole("button", { name: "Tambah satu suara" }).click();
  await expect(p.locator(`[data-my-dots='${card}']`)).toHaveText("1");
  // Marks the page, to tell the script's call from a plain form post
  // (which would load a new page).
  await p.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  const score = p.locator(".score-form");
  await score.locator("fieldset", { hasText: "Urgensi" }).getByText("5", { exact: true }).click();
  await score.locator("fieldset", { hasText: "Keseriusan" }).getByText("4", { exact: true }).click();
  await score.locator("fieldset", { hasText: "Perkembangan" }).getByText("3", { exact: true }).click();
  await score.getByRole("button", { name: "Simpan nilai" }).click();
  await expect(p.getByText("USG 12,0 (1 penilai)")).toBeVisible();
  const usg = (await snapshot(request, room)).cards[0].usg;
  expect(usg.score).toBe(12);
  expect(await p.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);

  // The projector switches to the server's chart of the dimension.
  const screen = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  expect((await screen.request.post("/api/v1/auth/login", { data: { email: "admin@acehselatankab.go.id", password: "kopi-sanger-pagi" } })).status()).toBe(200);
  const projector = await screen.newPage();
  await projector.goto(`/admin/sessions/${room.session}/screen`);
  await waitLive(projector);
  await projector.getByRole("button", { name: "Grafik" }).click();
  const chart = projector.locator(".projector-chart img");
  await expect(chart).toBeVisible();
  await expect
    .poll(() => chart.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
  const firstSrc = await chart.getAttribute("src");
  expect(firstSrc).toContain("dimension=governance");
  // Another vote changes the picture's address, so it is fetched again.
  await p.getByRole("button", { name: "Tambah satu suara" }).click();
  await expect(p.locator(`[data-my-dots='${card}']`)).toHaveText("2");
  await expect.poll(() => chart.getAttribute("src")).not.toBe(firstSrc);
  await projector.screenshot({ path: "test-results/screens/projector-chart.png" });

  // The console shows the score, the dots per group and the breadth.
  const console_ = await screen.newPage();
  await console_.goto(`/admin/sessions/${room.session}`);
  await waitLive(console_);
  const consoleCard = console_.locator(`[data-card='${card}']`);
  await expect(consoleCard.getByText("USG 12,0 (1 penilai)")).toBeVisible();
  await expect(consoleCard.getByText("Komunitas 2")).toBeVisible();
  await console_.screenshot({ path: "test-results/screens/console-scores.png", fullPage: true });

  // The secretariat reads the roll-up and downloads the draft plan input.
  const office = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const desk = await office.newPage();
  await desk.goto("/login");
  await desk.getByLabel("Email").fill(SECRETARIAT.email);
  await desk.getByLabel("Kata sandi").fill(SECRETARIAT.password);
  await desk.getByRole("button", { name: "Masuk", exact: true }).click();
  await expect(desk).toHaveURL(/\/admin/);
  await desk.goto(`/admin/workshops/${room.workshop}/report`);
  await expect(desk.getByRole("heading", { name: "Rekap hasil" })).toBeVisible();
  await expect(desk.locator("table.data", { hasText: text }).first()).toBeVisible();
  await expect(desk.locator("figure.chart svg").first()).toBeVisible();
  await expect(desk.getByText("USG 12,0").first()).toBeVisible();
  const download = desk.waitForEvent("download");
  await desk.getByRole("link", { name: "Word (DOCX)" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.docx$/);
  const bytes = await (await import("node:fs/promises")).readFile((await file.path())!);
  expect(bytes.subarray(0, 2).toString()).toBe("PK");
  await desk.screenshot({ path: "test-results/screens/rollup-desktop.png", fullPage: true });

  const small = await browser.newContext(phone);
  await small.addCookies(await office.cookies());
  const mobile = await small.newPage();
  await mobile.goto(`/admin/workshops/${room.workshop}/report`);
  await expect(mobile.getByRole("heading", { name: "Rekap hasil" })).toBeVisible();
  // Nothing wider than the phone but the scrollable tables.
  const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await mobile.screenshot({ path: "test-results/screens/rollup-phone.png", fullPage: true });

  await Promise.all([screen.close(), office.close(), small.close(), phoneContext.close()]);
});

test("an idea sent from a phone answers the problems ticked in its form", async ({ browser, request }) => {
  const room = await prepareRoom(request, "Masalah apa yang ada di pasar?");
  const auth = { Authorization: `Bearer ${room.token}` };
  const context = await browser.newContext(phone);
  const p = await context.newPage();
  await joinLive(p, room.code, "Pemerintah");
  const problem = "Los pasar bocor saat hujan";
  await p.getByLabel("Masalah apa yang Anda lihat?").fill(problem);
  await p.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(p.locator(".card-text", { hasText: problem })).toBeVisible();

  // The facilitator closes the problems and asks for ideas; the phone
  // follows live.
  await setPhase(request, room, "closed");
  const ideas = await request.post(`/api/v1/sessions/${room.session}/questions`, {
    headers: auth,
    data: { dimension: "economy", prompt: "Gagasan apa untuk pasar?", kind: "ideas" },
  });
  expect(ideas.status()).toBe(201);
  const idea = "Atap pasar diganti bertahap";
  await p.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  await p.getByLabel("Apa gagasan Anda?").fill(idea);
  await p.getByText("Gagasan ini menjawab masalah…").click();
  await p.locator(".answers-picker").getByLabel(problem).check();
  await p.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(p.locator(".card-text", { hasText: idea })).toBeVisible();

  const cards = (await snapshot(request, room)).cards;
  const problemId = cards.find((c: { text: string }) => c.text === problem).id;
  const sent = cards.filter((c: { text: string }) => c.text === idea);
  expect(sent).toHaveLength(1);
  expect(sent[0].answers).toEqual([problemId]);
  // Sent by the script, not as a plain form post.
  expect(await p.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  await context.close();
});
