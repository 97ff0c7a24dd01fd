import { Page, expect, test } from "@playwright/test";
import { ADMIN, prepareRoom, waitLive, joinLive } from "./support";

// A phone loads its own bundle (rembuk-phone.wasm: the participant's island
// alone) and nothing of the staff screens. Staff pages load the full bundle,
// in which the console and the projector are lazy islands with chunks of
// their own; each staff screen must fetch its chunk and come alive.

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** Records the WebAssembly files a page's own document fetches (not those
 * of frames inside it: the console shows the projector in a preview). */
function wasmFetches(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith(".wasm") && r.frame() === page.mainFrame()) seen.push(path.split("/").pop()!);
  });
  return seen;
}

test("a phone downloads no staff code; the console and the projector load their own chunks", async ({ browser, request }) => {
  const room = await prepareRoom(request, "Apa masalah layanan publik di kecamatan Anda?");

  const phoneContext = await browser.newContext(phone);
  const p = await phoneContext.newPage();
  const onPhone = wasmFetches(p);
  await joinLive(p, room.code, "Pemerintah (OPD/SKPK)");
  expect(onPhone.length).toBeGreaterThan(0);
  expect(new Set(onPhone)).toEqual(new Set(["rembuk-phone.wasm"]));

  const staff = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  expect((await staff.request.post("/api/v1/auth/login", { data: ADMIN })).status()).toBe(200);

  const projector = await staff.newPage();
  const onProjector = wasmFetches(projector);
  await projector.goto(`/admin/sessions/${room.session}/screen`);
  await waitLive(projector);
  expect(onProjector).toContain("rembuk.wasm");
  expect(onProjector.some((f) => f.includes("projector_live"))).toBe(true);
  expect(onProjector.some((f) => f.includes("console_live"))).toBe(false);

  const console = await staff.newPage();
  const onConsole = wasmFetches(console);
  await console.goto(`/admin/sessions/${room.session}`);
  await waitLive(console);
  expect(onConsole.some((f) => f.includes("console_live"))).toBe(true);
  expect(onConsole.some((f) => f.includes("projector_live"))).toBe(false);

  // The console works: a card the phone writes reaches it live.
  await p.getByLabel("Masalah apa yang Anda lihat?").fill("Antrean KTP terlalu panjang");
  await p.getByRole("button", { name: "Kirim kartu" }).click();
  await expect(console.getByText("Antrean KTP terlalu panjang").first()).toBeVisible();
  await expect(projector.getByText("Antrean KTP terlalu panjang").first()).toBeVisible();

  await phoneContext.close();
  await staff.close();
});
