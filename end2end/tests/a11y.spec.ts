import AxeBuilder from "@axe-core/playwright";
import { Page, expect, test } from "@playwright/test";
import { ADMIN, prepareRoom, setPhase, waitLive } from "./support";

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
