// Signing in to the console through the configured OIDC authority (authorization code with PKCE), in Debian's
// chromium: the console sends the person to the authority, takes the code back, exchanges it, and calls the API
// with the access token; no token ever appears in a URL, and the console sets no cookie.
// Environment: CONSOLE_URL (a gateway configured with DirectConnect:Auth:Authority), ACCOUNT (the account the
// authority signs in). Run by ConsoleBrowserTests (tests/DirectConnect.IntegrationTests), with the authority.
import assert from "node:assert/strict";
import { launch, navigate, person, required, screenshot } from "./support.js";

const test = "gateway/Console/test/oidc.e2e.ts";
const base = required("CONSOLE_URL", test);
const account = required("ACCOUNT", test);

const browser = await launch();
try {
  const { page, context, errors } = await person(browser, base);
  const urls: string[] = [];
  page.on("request", (r) => urls.push(r.url()));
  page.on("framenavigated", (f) => urls.push(f.url()));

  await page.goto("/console/");
  await page.getByRole("heading", { name: "Sign in to DirectConnect" }).waitFor();
  await page.getByText("Sign in with your organisation's identity provider").waitFor();
  assert.equal(await page.getByLabel("Account").count(), 0, "a development sign-in is offered next to the authority");
  await screenshot(page, "sign-in-oidc-desktop");
  await page.getByRole("button", { name: "Sign in" }).click();

  // Back from the authority: signed in as the account it vouched for, and the API accepts its token.
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  assert.equal(await page.locator("[data-account]").getAttribute("data-account"), account);
  await navigate(page, "Physical Connections");
  await page.getByText("No physical connections in this region yet.").waitFor();
  assert.equal(new URL(page.url()).search, "", "the authorization code stayed in the address bar");
  assert.ok(urls.some((u) => u.includes("/authorize?") && u.includes("code_challenge_method=S256")), "the console did not go to the authority with PKCE");
  assert.ok(urls.some((u) => u.includes("/console/signin-callback?code=")), "the authority did not send the person back with a code");

  // No token in any URL the browser requested or showed, and no cookie.
  const leaked = urls.filter((u) => /eyJ|access_token|id_token/.test(u));
  assert.deepEqual(leaked, [], "a token appeared in a URL");
  assert.deepEqual(await context.cookies(), []);
  assert.deepEqual(errors, [], "the pages threw errors");
  console.log("oidc.e2e: passed");
} finally {
  await browser.close();
}
