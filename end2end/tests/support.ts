import { APIRequestContext, BrowserContext, Page, expect } from "@playwright/test";

export const ADMIN = { email: "admin@acehselatankab.go.id", password: "kopi-sanger-pagi" };

/** Signs the admin in (creating the account on a fresh server). */
export async function adminToken(request: APIRequestContext): Promise<string> {
  const setup = await request.post("/api/v1/setup", { data: ADMIN });
  if (setup.status() === 201) return (await setup.json()).token;
  const login = await request.post("/api/v1/auth/login", { data: ADMIN });
  expect(login.status()).toBe(200);
  return (await login.json()).token;
}

export interface Room {
  token: string;
  workshop: string;
  session: string;
  code: string;
  question: string;
}

/** A workshop with one session and one open "problems" question. */
export async function prepareRoom(request: APIRequestContext, prompt: string): Promise<Room> {
  const token = await adminToken(request);
  const auth = { Authorization: `Bearer ${token}` };
  const workshop = await (
    await request.post("/api/v1/workshops", {
      headers: auth,
      data: { title: "FGD Rencana Induk Smart City", place: "Tapaktuan", language: "id" },
    })
  ).json();
  const session = await (
    await request.post(`/api/v1/workshops/${workshop.id}/sessions`, { headers: auth, data: { title: "Hari 1" } })
  ).json();
  const question = await (
    await request.post(`/api/v1/sessions/${session.id}/questions`, {
      headers: auth,
      data: { dimension: "governance", sub_element: "public_service", prompt, kind: "problems" },
    })
  ).json();
  return { token, workshop: workshop.id, session: session.id, code: session.join_code, question: question.id };
}

export async function setPhase(request: APIRequestContext, room: Room, phase: string) {
  const r = await request.put(`/api/v1/questions/${room.question}/phase`, {
    headers: { Authorization: `Bearer ${room.token}` },
    data: { phase },
  });
  expect(r.status()).toBe(200);
}

export async function snapshot(request: APIRequestContext, room: Room) {
  const r = await request.get(`/api/v1/sessions/${room.session}`, {
    headers: { Authorization: `Bearer ${room.token}` },
  });
  expect(r.status()).toBe(200);
  return r.json();
}

/** Waits until the page has hydrated and its live stream is open. */
export async function waitLive(page: Page) {
  await expect(page.locator("main[data-live='connected']")).toBeVisible();
}

/**
 * Joins the session `code` from a phone as a member of `group` (the label
 * of its choice on the join page), consenting, and waits until the session
 * page has hydrated and follows the session live.
 */
export async function joinLive(page: Page, code: string, group: string) {
  await page.goto(`/j/${code}`);
  await page.getByLabel(group).check();
  await page.getByLabel("Saya setuju ikut serta").check();
  await page.getByRole("button", { name: "Bergabung" }).click();
  await expect(page).toHaveURL(new RegExp(`/s/${code}$`));
  await waitLive(page);
}

/**
 * What a screen reader's basic navigation would stumble on, read from the
 * accessibility tree it uses: a missing banner, navigation or main
 * landmark, not exactly one main, not exactly one level-1 heading, a first
 * heading that is not level 1, a heading that skips a level. With `title`,
 * the level-1 heading must also be that text. A page without the site's
 * header (the projector) names the landmarks it has.
 */
export async function outlineProblems(
  page: Page,
  { title, landmarks = ["banner", "navigation", "main"] }: { title?: string; landmarks?: string[] } = {},
): Promise<string[]> {
  const tree = await page.locator("body").ariaSnapshot();
  const problems: string[] = [];
  for (const landmark of landmarks) {
    if (!new RegExp(`^\\s*- ${landmark}\\b`, "m").test(tree)) problems.push(`no ${landmark} landmark`);
  }
  if ((tree.match(/^\s*- main\b/gm) ?? []).length > 1) problems.push("more than one main landmark");
  const headings = [...tree.matchAll(/- heading "((?:[^"\\]|\\.)*)" \[level=(\d)\]/g)].map((m) => ({
    text: m[1],
    level: Number(m[2]),
  }));
  const firsts = headings.filter((h) => h.level === 1).map((h) => h.text);
  if (firsts.length !== 1) problems.push(`not exactly one level-1 heading: ${JSON.stringify(firsts)}`);
  else if (title !== undefined && firsts[0] !== title) problems.push(`the level-1 heading is "${firsts[0]}", not "${title}"`);
  if (headings.length && headings[0].level !== 1) problems.push(`the first heading is level ${headings[0].level}`);
  headings.forEach((h, i) => {
    if (i > 0 && h.level > headings[i - 1].level + 1) {
      problems.push(`"${h.text}" jumps from level ${headings[i - 1].level} to ${h.level}`);
    }
  });
  return problems;
}

/**
 * Keeps a participant's writes at the server's limit (429) until `stop()`:
 * six loops of votes from `context`'s own session (its cookie) that set its
 * dots on `card` to 0, which change nothing and which the limit counts.
 * Resolves once the limit answers. `stop()` waits for the loops and returns
 * every status they saw.
 */
export async function holdAtWriteLimit(context: BrowserContext, card: string): Promise<() => Promise<number[]>> {
  let holding = true;
  const statuses = new Set<number>();
  const loops = Promise.all(
    Array.from({ length: 6 }, async () => {
      while (holding) {
        const r = await context.request.put(`/api/v1/cards/${card}/vote`, { data: { dots: 0 } });
        statuses.add(r.status());
      }
    }),
  );
  await expect.poll(() => statuses.has(429)).toBe(true);
  return async () => {
    holding = false;
    await loops;
    return [...statuses].sort((a, b) => a - b);
  };
}
