import { defineConfig } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";

// The real app: the release binary built by `scripts/build-site`,
// on its own port, with a fresh SQLite file for every run.
const port = Number(process.env.REMBUK_E2E_PORT ?? 3917);
const repo = path.resolve(__dirname, "..");
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(repo, "target");
const binary = path.join(targetDir, "release", "rembuk");
const database = path.join(os.tmpdir(), `rembuk-e2e-${process.pid}-${Date.now()}.db`);

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    locale: "id-ID",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: `"${binary}" serve --bind 127.0.0.1:${port} --database-url "sqlite://${database}" --site-root "${path.join(repo, "target", "site")}"`,
    url: `http://127.0.0.1:${port}/healthz`,
    cwd: repo,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
  },
});
