// What the console's browser tests share: Debian's chromium driven headless by playwright-core (no browser
// download), signing in through the development sign-in as a person would, screenshots where the CI log says,
// and axe-core's accessibility check.
import AxeBuilder from "@axe-core/playwright";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";

/** The environment variable `name`, which the test's header documents; missing, the test stops. */
export function required(name: string, test: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set (see the header of ${test})`);
  }
  return value;
}

/** Debian's chromium (CHROMIUM_PATH to use another); missing, the test fails saying how to install it. */
export async function launch(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`chromium is not at ${executablePath}: install Debian's chromium (apt-get install chromium; ./test.sh does) or set CHROMIUM_PATH`);
  }
  // --no-sandbox: CI runs the tests as root, where chromium's sandbox cannot start.
  return await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

export const desktop = { width: 1280, height: 800 };
export const narrow = { width: 390, height: 844 };

/** A browser context of its own (its own sessionStorage: its own signed-in person) with the page's errors collected. */
export async function person(browser: Browser, baseURL: string, viewport = desktop): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL, viewport, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  // The gateway's content security policy would silently drop what it refuses: a refusal fails the test instead.
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) {
      errors.push(`CSP: ${m.text()}`);
    }
  });
  page.setDefaultTimeout(15_000);
  return { context, page, errors };
}

/** Signs in through the development sign-in form, as a person types it. */
export async function signIn(page: Page, account: string, role: "customer" | "operator" | "partner"): Promise<void> {
  await page.goto("/console/");
  await page.getByRole("heading", { name: "Sign in to DirectConnect" }).waitFor();
  await page.getByLabel("Account").fill(account);
  await page.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Opens a page from the navigation bar, as the guide says ("Direct Connection → Physical Connection"). */
export async function navigate(page: Page, link: string, heading = link): Promise<void> {
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: link, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

const shots = process.env.SCREENSHOTS_DIR;

/** Keeps a full-page screenshot as `<name>.png` in SCREENSHOTS_DIR (the CI log prints where). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!shots) {
    return;
  }
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Screenshots of the page at the desktop and the narrow width (`<name>-desktop.png`, `<name>-narrow.png`). */
export async function screenshots(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? desktop;
  await page.setViewportSize(desktop);
  await screenshot(page, `${name}-desktop`);
  await page.setViewportSize(narrow);
  await screenshot(page, `${name}-narrow`);
  await page.setViewportSize(before);
}

/** axe-core on the page as it is now: no serious or critical violation (WCAG 2.x A/AA rules and best practices). */
export async function accessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`),
    [],
    `axe-core found serious or critical violations on ${what}`,
  );
  assert.ok(results.passes.length > 10, `axe-core checked almost nothing on ${what}: is the page empty?`);
}

/** The row of `table` whose text contains `text`. */
export function row(page: Page, text: string) {
  return page.locator("tbody tr", { hasText: text });
}

/**
 * The REST API of the gateway at `base`, for setting up what a test does not click through: `token(account, role)` from
 * the development sign-in, and `call(token, method, path, body)` under the region's path, failing on any error.
 */
export function restApi(base: string, region = "cn-north-1") {
  return {
    async token(who: string, role: string): Promise<string> {
      const response = await fetch(`${base}/console/dev-sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ account: who, role }),
      });
      assert.equal(response.status, 200);
      return ((await response.json()) as { token: string }).token;
    },
    async call<T>(bearer: string, method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${base}/v1/regions/${region}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      assert.ok(response.ok, `${method} ${path}: HTTP ${response.status} ${text}`);
      return JSON.parse(text) as T;
    },
  };
}
