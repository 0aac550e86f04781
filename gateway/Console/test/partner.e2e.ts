// The partner's way in, in Debian's chromium (headless, playwright-core), against a running gateway:
//   - an operator registers a partner on the Partners page;
//   - the partner signs in with the partner role and allocates a hosted connection on its line through the form,
//     where a VLAN already held on the line is refused at its field;
//   - the customer sees it with the partner's name only, accepts it, and creates a virtual interface on it, the VLAN
//     being the hosted connection's (left empty);
//   - the partner's page follows the acceptance without a reload (the watch stream), and shows no interface of the
//     customer's; axe-core finds no serious or critical violation; screenshots go to SCREENSHOTS_DIR.
// Environment: CONSOLE_URL (the gateway's REST address), ACCOUNT (a fresh customer account), SCREENSHOTS_DIR.
// Run by ConsoleBrowserTests (tests/DirectConnect.IntegrationTests).
import assert from "node:assert/strict";
import { accessible, launch, navigate, person, required, restApi, row, screenshots, signIn } from "./support.js";

const test = "gateway/Console/test/partner.e2e.ts";
const base = required("CONSOLE_URL", test);
const account = required("ACCOUNT", test);
const partnerAccount = `${account}-carrier`;

const { token, call } = restApi(base);

// The inventory and the partner's line, through the API (the order form is console.e2e.ts's).
const ops = await token("ops", "operator");
const partnerToken = await token(partnerAccount, "partner");
const me = await token(account, "customer");
const location = await call<{ id: string }>(ops, "POST", "/locations", { code: `HC-${account}`.toUpperCase().slice(0, 20), name: `Partner test ${account}` });
await call(ops, "POST", "/accessDevices", { locationId: location.id, name: "asw-hc-01", ports: [{ name: "xe-0/0/0", speed: "PORT_SPEED_10G" }] });
const line = await call<{ id: string }>(partnerToken, "POST", "/physicalConnections", {
  name: "carrier-ic-1", locationId: location.id, portSpeed: "PORT_SPEED_10G", bandwidthMbps: 10000, provider: "China Telecom",
});
for (const [who, step] of [[ops, "approve"], [ops, "recordPayment"], [ops, "completeConstruction"], [partnerToken, "confirm"]] as const) {
  await call(who, "POST", `/physicalConnections/${line.id}:${step}`, {});
}
const gateway = await call<{ id: string }>(me, "POST", "/borderGateways", { name: "bgw-hosted" });

const browser = await launch();
try {
  const operator = await person(browser, base);
  const partner = await person(browser, base);
  const customer = await person(browser, base);

  // --- The operator registers the partner. ---
  const o = operator.page;
  await signIn(o, "ops", "operator");
  await navigate(o, "Partners");
  await o.getByLabel("Partner account").fill(partnerAccount);
  await o.getByLabel("Partner name").fill("Example Carrier Networks");
  await o.getByRole("button", { name: "Register partner" }).click();
  await row(o, partnerAccount).getByText("Example Carrier Networks").waitFor();
  await accessible(o, "the partners page");
  await screenshots(o, "partners");

  // --- The partner allocates a hosted connection; a VLAN held on the line is refused at its field. ---
  const p = partner.page;
  await signIn(p, partnerAccount, "partner");
  await navigate(p, "Hosted Connections");
  await p.getByRole("link", { name: "Allocate hosted connection" }).click();
  await p.getByRole("heading", { level: 1, name: "Allocate hosted connection" }).waitFor();
  await p.getByLabel("Line").selectOption(line.id);
  await p.getByLabel("Customer account").fill(account);
  await p.getByLabel("VLAN").fill("610");
  await p.getByLabel("Bandwidth").selectOption("500");
  await accessible(p, "the allocation form");
  await screenshots(p, "hosted-connection-form");
  await p.getByRole("button", { name: "Allocate" }).click();
  await p.getByRole("heading", { level: 1, name: /^Hosted connection dxhc-/ }).waitFor();
  const hostedId = p.url().split("/").pop()!;
  assert.equal(await p.locator('[data-fact="Status"]').textContent(), "Pending acceptance");
  assert.equal(await p.locator('[data-fact="Customer account"]').textContent(), account);

  await navigate(p, "Hosted Connections");
  await p.getByRole("link", { name: "Allocate hosted connection" }).click();
  await p.getByLabel("Line").selectOption(line.id);
  await p.getByLabel("Customer account").fill(account);
  await p.getByLabel("VLAN").fill("610");
  await p.getByLabel("Bandwidth").selectOption("50");
  await p.getByRole("button", { name: "Allocate" }).click();
  await p.locator('[data-error-for="hosted_connection.vlan"]', { hasText: hostedId }).waitFor();
  assert.equal(await p.getByLabel("VLAN").getAttribute("aria-invalid"), "true");
  await navigate(p, "Hosted Connections");
  await row(p, hostedId).getByText("Pending acceptance").waitFor();

  // --- The customer sees the partner's name only, and accepts; the partner's list follows without a reload. ---
  const c = customer.page;
  await signIn(c, account, "customer");
  await navigate(c, "Hosted Connections");
  await row(c, hostedId).getByText("Example Carrier Networks").waitFor();
  assert.doesNotMatch((await row(c, hostedId).textContent()) ?? "", new RegExp(`${partnerAccount}|${line.id}`));
  await c.getByRole("link", { name: hostedId }).click();
  await c.getByRole("heading", { level: 1, name: `Hosted connection ${hostedId}` }).waitFor();
  assert.equal(await c.locator('[data-fact="Line"]').count(), 0, "the customer sees the partner's line");
  await accessible(c, "the hosted connection, pending, as its customer");
  await screenshots(c, "hosted-connection-detail");
  await p.evaluate(() => ((window as unknown as { stillThisPage: boolean }).stillThisPage = true));
  await c.getByRole("button", { name: "Accept" }).click();
  await c.getByRole("button", { name: "Yes, accept" }).click();
  await c.locator('[data-fact="Status"]', { hasText: "Available" }).waitFor();
  await row(p, hostedId).getByText("Available").waitFor({ timeout: 10_000 });
  assert.equal(await p.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage), true, "the partner's list was reloaded");

  // --- A virtual interface on it: the VLAN is the hosted connection's. ---
  await c.getByRole("link", { name: "Create virtual interface" }).click();
  await c.getByRole("heading", { level: 1, name: "Create virtual interface" }).waitFor();
  // The form names the connection from the link at once; its options arrive with the list.
  await c.getByLabel("Connection", { exact: true }).locator(`option[value="${hostedId}"]`).waitFor({ state: "attached" });
  assert.equal(await c.getByLabel("Connection", { exact: true }).inputValue(), hostedId);
  await c.getByLabel("Name").fill("vif-via-carrier");
  await c.getByLabel("Border gateway").selectOption(gateway.id);
  await c.getByLabel("Bandwidth (Mbit/s)").fill("200");
  await c.getByLabel("Customer ASN").fill("65080");
  await c.getByLabel("Cloud address").fill("169.254.80.1/30");
  await c.getByLabel("Customer address").fill("169.254.80.2/30");
  await c.getByLabel("IDC prefixes").fill("192.168.80.0/24");
  await c.getByRole("button", { name: "Create" }).click();
  await c.getByRole("heading", { level: 1, name: "vif-via-carrier" }).waitFor();
  assert.equal(await c.locator('[data-fact="VLAN"]').textContent(), "610");
  assert.equal(await c.locator('[data-fact="Hosted connection"]').textContent(), hostedId);

  const vifId = c.url().split("/").pop()!;

  // The topology draws the hosted connection where lines are, carrying the interface.
  await navigate(c, "Topology and trace");
  const node = (id: string) => c.locator(`svg.topo-svg [data-node-id="${id}"]`);
  await node(vifId).waitFor();
  assert.equal(await node(hostedId).getAttribute("data-kind"), "physical-connection");
  assert.equal(await node(hostedId).getAttribute("data-state"), "Available");
  await c.locator(`svg.topo-svg g.topo-edge[data-from="${hostedId}"][data-to="${vifId}"]`).waitFor({ state: "attached" });

  // The partner sees its hosted connection and nothing of the customer's interface.
  await p.getByRole("link", { name: hostedId }).click();
  await p.getByRole("heading", { level: 1, name: `Hosted connection ${hostedId}` }).waitFor();
  assert.equal(await p.locator('[data-fact="Virtual interfaces"]').count(), 0, "the partner sees the customer's interfaces");
  assert.equal(await p.locator('[data-fact="Line"]').textContent(), line.id);

  assert.deepEqual([...operator.errors, ...partner.errors, ...customer.errors], [], "the pages threw errors");
  console.log("partner.e2e: passed");
} finally {
  await browser.close();
}
