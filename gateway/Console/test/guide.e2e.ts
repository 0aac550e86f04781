// The guide's walk through the console, as a customer and an operator in two browser sessions (Debian's chromium,
// headless, playwright-core): the operator's inventory → order → approve (the customer's list changes without a
// reload) → pay → build → LOA → confirm → VPC → border gateway attached → a virtual interface (a validation error
// first, at its field) → the customer copies its router's configuration from the console → BGP comes up (live) →
// routes both ways → the trace drawn reachable → a refused line delete naming the interface → deletes in order.
// Environment: CONSOLE_URL (the gateway's REST address), ACCOUNT (a fresh customer account), BGP_KEY (the MD5 key
// the customer uses), HANDSHAKE_DIR (this test writes customer-router.conf there, copied from the console; the
// harness loads it into the customer's FRR router and writes customer-router.applied), SCREENSHOTS_DIR.
// Run by ConsoleBrowserTests (tests/DirectConnect.IntegrationTests), which runs the routers and the agent.
import assert from "node:assert/strict";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Page } from "playwright-core";
import { accessible, launch, navigate, person, required, row, screenshot, screenshots, signIn } from "./support.js";

const test = "gateway/Console/test/guide.e2e.ts";
const base = required("CONSOLE_URL", test);
const account = required("ACCOUNT", test);
const key = required("BGP_KEY", test);
const handshake = required("HANDSHAKE_DIR", test);
const suffix = account.slice(-6);

/** Clicks `label`, then its confirmation. */
async function confirm(page: Page, label: string, scope: Page | ReturnType<Page["locator"]> = page) {
  await scope.getByRole("button", { name: label, exact: true }).click();
  await scope.getByRole("button", { name: `Yes, ${label.toLowerCase()}`, exact: true }).click();
}

/** The id at the end of the page's address (a detail page). */
const idOf = (page: Page) => decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);

/** Deletes the resource whose page is open; a release still on its way (a moment after a delete) is retried. */
async function deleteHere(page: Page, list: string) {
  for (let attempt = 0; ; attempt++) {
    await confirm(page, "Delete");
    const done = await Promise.race([
      page.waitForURL((u) => u.pathname === list, { timeout: 5_000 }).then(() => true).catch(() => false),
      page.getByRole("alert").filter({ hasText: "IN_USE" }).waitFor({ timeout: 5_000 }).then(() => false).catch(() => false),
    ]);
    if (done || new URL(page.url()).pathname === list) {
      return;
    }
    assert.ok(attempt < 20, `the delete on ${page.url()} was still refused: ${await page.getByRole("alert").textContent()}`);
    await page.waitForTimeout(500);
    await page.reload();
  }
}

const browser = await launch();
try {
  const customer = await person(browser, base);
  const operator = await person(browser, base);
  const c = customer.page;
  const o = operator.page;
  await customer.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  await signIn(o, "ops", "operator");
  await signIn(c, account, "customer");

  // --- The operator's inventory: a location and an access device with a 10G port. ---
  await navigate(o, "Locations and devices", "Locations");
  const code = `GD-${suffix}`.toUpperCase();
  await o.getByLabel("Code").fill(code);
  await o.getByLabel("Name", { exact: true }).fill(`Guide ${suffix}`);
  await o.getByRole("button", { name: "Add location" }).click();
  await o.getByRole("status").getByRole("link", { name: `Guide ${suffix}` }).click();
  await o.getByRole("heading", { level: 1, name: `Guide ${suffix}` }).waitFor();
  const locationId = idOf(o);
  await o.getByLabel("Name", { exact: true }).fill("asw-01");
  await o.getByLabel("Port 1 name").fill("xe-0/0/0");
  await o.getByLabel("Port 1 speed").selectOption({ label: "10G" });
  await o.getByRole("button", { name: "Add access device" }).click();
  await row(o, "asw-01").waitFor();
  await accessible(o, "a location with its access devices");
  await screenshots(o, "inventory-location");
  await row(o, "asw-01").getByRole("link", { name: "asw-01" }).click();
  await o.getByRole("heading", { level: 1, name: "asw-01" }).waitFor();
  await accessible(o, "an access device with its ports");
  await navigate(o, "Locations and devices", "Locations");
  await accessible(o, "the locations");
  await screenshots(o, "inventory-locations");
  await navigate(o, "Cloud routers");
  await row(o, "eth1").first().waitFor();
  await accessible(o, "the cloud routers");
  await screenshots(o, "inventory-routers");

  // --- The customer orders a line: the list says Applying. ---
  await navigate(c, "Physical Connections");
  await c.getByRole("link", { name: "Create physical connection" }).click();
  await c.getByLabel("Name").fill("idc-guide-1");
  await c.getByLabel("Location").selectOption(locationId);
  await c.getByLabel("Port speed").selectOption({ label: "10G" });
  await c.getByLabel("Bandwidth (Mbit/s)").fill("1000");
  await c.getByLabel("Provider").fill("China Telecom");
  await c.getByRole("button", { name: "Create" }).click();
  await c.getByRole("heading", { level: 1, name: "idc-guide-1" }).waitFor();
  const lineId = idOf(c);
  await navigate(c, "Physical Connections");
  await row(c, "idc-guide-1").getByText("Applying").waitFor();
  await c.evaluate(() => ((window as unknown as { stillThisPage: boolean }).stillThisPage = true));

  // --- The operator approves from the review queue; the customer's list changes by itself. ---
  await navigate(o, "Review queue");
  await row(o, "idc-guide-1").waitFor();
  await accessible(o, "the review queue");
  await screenshots(o, "operations-review");
  await confirm(o, "Approve", o.getByRole("row", { name: /idc-guide-1/ }));
  await row(c, "idc-guide-1").getByText("Pending payment").waitFor();
  assert.equal(await c.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage), true, "the customer's list was reloaded");
  await screenshot(c, "guide-list-pending-payment");

  // --- Payment allocates the port; construction completes. ---
  await navigate(o, "Payment");
  await confirm(o, "Record payment", o.getByRole("row", { name: /idc-guide-1/ }));
  await o.getByRole("status").filter({ hasText: "xe-0/0/0" }).waitFor();
  await navigate(o, "Construction");
  await accessible(o, "the construction queue");
  await screenshots(o, "operations-construction");
  await confirm(o, "Complete construction", o.getByRole("row", { name: /idc-guide-1/ }));
  await row(c, "idc-guide-1").getByText("Awaiting confirmation").waitFor();

  // --- The customer downloads the LOA and confirms: Available. ---
  await c.getByRole("link", { name: "idc-guide-1" }).click();
  await c.getByRole("heading", { level: 1, name: "idc-guide-1" }).waitFor();
  const [download] = await Promise.all([c.waitForEvent("download"), c.getByRole("button", { name: "Download LOA-CFA (PDF)" }).click()]);
  const loa = readFileSync((await download.path())!);
  assert.equal(loa.subarray(0, 5).toString("latin1"), "%PDF-", "the LOA is not a PDF");
  await confirm(c, "Confirm");
  await c.locator('[data-fact="Status"]', { hasText: "Available" }).waitFor();
  await accessible(c, "an available physical connection");

  // --- The operator registers the customer's VPC; the customer's gateway attaches to it. ---
  await navigate(o, "VPCs");
  await o.getByRole("link", { name: "Register VPC" }).click();
  await o.getByLabel("Account").fill(account);
  await o.getByLabel("Name").fill("prod");
  await o.getByLabel("CIDR blocks").fill("10.60.0.0/16");
  await o.getByRole("button", { name: "Register VPC" }).click();
  await o.getByRole("heading", { level: 1, name: "prod" }).waitFor();
  const vpcId = idOf(o);

  await navigate(c, "Border Gateways");
  await c.getByRole("link", { name: "Create border gateway" }).click();
  await c.getByLabel("Name").fill("bgw-1");
  await c.getByLabel("ASN (optional)").fill("64600");
  await c.getByRole("button", { name: "Create" }).click();
  await c.getByRole("heading", { level: 1, name: "bgw-1" }).waitFor();
  const gatewayId = idOf(c);
  await row(c, "prod").locator('[data-state="Attached"]').waitFor();

  // --- A virtual interface: first with a VLAN out of range and AS_TRANS, each refused at its field. ---
  await c.getByRole("link", { name: "Create virtual interface" }).click();
  await c.getByRole("heading", { level: 1, name: "Create virtual interface" }).waitFor();
  await c.getByLabel("Name").fill("vif-1");
  await c.getByLabel("Connection", { exact: true }).selectOption(lineId);
  await c.getByLabel("Border gateway").selectOption(gatewayId);
  await c.getByLabel("VLAN").fill("5000");
  await c.getByLabel("Bandwidth (Mbit/s)").fill("500");
  await c.getByLabel("Customer ASN").fill("23456");
  await c.getByLabel("Cloud address").fill("169.254.60.1/30");
  await c.getByLabel("Customer address").fill("169.254.60.2/30");
  await c.getByLabel("BGP MD5 key (optional)").fill(key);
  await c.getByLabel("IDC prefixes").fill("192.168.60.0/24");
  await c.getByRole("button", { name: "Create" }).click();
  await c.locator('[data-error-for="virtual_interface.vlan"]').waitFor();
  await c.locator('[data-error-for="virtual_interface.bgp.customer_asn"]').waitFor();
  assert.equal(await c.getByLabel("VLAN").getAttribute("aria-invalid"), "true");
  assert.equal(await c.getByLabel("Cloud address").getAttribute("aria-invalid"), "false");
  await accessible(c, "the virtual interface form showing field errors");
  await screenshot(c, "virtual-interface-form-errors-desktop");
  await c.getByLabel("VLAN").fill("160");
  await c.getByLabel("Customer ASN").fill("65060");
  await c.getByRole("button", { name: "Create" }).click();
  await c.getByRole("heading", { level: 1, name: "vif-1" }).waitFor();
  const vifId = idOf(c);

  // --- The customer copies its router's configuration (FRR, port eth0) and loads it into its router. ---
  await c.getByLabel("Router vendor").selectOption({ label: "FRR" });
  await c.getByLabel("Interface name (optional)").fill("eth0");
  await c.locator("pre.config", { hasText: "eth0.160" }).waitFor();
  await c.getByRole("button", { name: "Copy configuration" }).click();
  const configuration = await c.evaluate(() => navigator.clipboard.readText());
  assert.match(configuration, /router bgp 65060/);
  assert.ok(!configuration.includes(key), "the router configuration carries the MD5 key");
  writeFileSync(join(handshake, "customer-router.conf.tmp"), configuration);
  renameSync(join(handshake, "customer-router.conf.tmp"), join(handshake, "customer-router.conf"));
  for (let i = 0; !existsSync(join(handshake, "customer-router.applied")); i++) {
    assert.ok(i < 240, "the customer's router configuration was never applied");
    await c.waitForTimeout(250);
  }

  // BGP comes up, on the page that is open, without a reload: the agent reports, the watch says so.
  await c.locator('[data-fact="BGP status"] [data-state="Up"]').waitFor({ timeout: 120_000 });
  await c.locator('[data-fact="Status"]', { hasText: "Available" }).waitFor();
  // The exchanged prefixes come with the agent's later reports, which the watch does not carry (only a change of
  // BGP status is a change): read the page again until they are there.
  for (let i = 0; !(await row(c, "192.168.60.0/24").isVisible()); i++) {
    assert.ok(i < 60, "the routes exchanged over BGP never appeared");
    await c.waitForTimeout(1_000);
    await c.reload();
    await c.getByRole("heading", { level: 1, name: "vif-1" }).waitFor();
    await c.locator('[data-fact="BGP status"]').waitFor();
  }
  await screenshot(c, "guide-virtual-interface-bgp-up");

  // --- Routes both ways: the VPC's table to the gateway; the gateway's to the interface and to the VPC. ---
  await c.goto(`/console/vpcs/${vpcId}`);
  await c.getByRole("heading", { level: 1, name: "prod" }).waitFor();
  const vpcForm = c.getByRole("form", { name: "Add route" });
  await vpcForm.getByLabel("Destination").fill("192.168.60.0/24");
  await vpcForm.getByLabel("Next hop", { exact: true }).selectOption(gatewayId);
  await vpcForm.getByRole("button", { name: "Add route" }).click();
  await row(c, "192.168.60.0/24").waitFor();

  await c.goto(`/console/border-gateways/${gatewayId}`);
  await c.getByRole("heading", { level: 1, name: "bgw-1" }).waitFor();
  const gatewayForm = c.getByRole("form", { name: "Add route" });
  await gatewayForm.getByLabel("Destination").fill("192.168.60.0/24");
  await gatewayForm.getByLabel("Next hop type").selectOption({ label: "Virtual interface" });
  await gatewayForm.getByLabel("Next hop", { exact: true }).selectOption(vifId);
  await gatewayForm.getByRole("button", { name: "Add route" }).click();
  await row(c, "192.168.60.0/24").waitFor();
  await gatewayForm.getByLabel("Destination").fill("10.60.0.0/16");
  await gatewayForm.getByLabel("Next hop type").selectOption({ label: "VPC" });
  await gatewayForm.getByLabel("Next hop", { exact: true }).selectOption(vpcId);
  await gatewayForm.getByRole("button", { name: "Add route" }).click();
  await row(c, "10.60.0.0/16").waitFor();

  // --- The trace, drawn over the picture: reachable, from the VPC to the IDC. ---
  await navigate(c, "Topology and trace");
  await c.getByLabel("Source address").fill("10.60.0.10");
  await c.getByLabel("Destination address").fill("192.168.60.10");
  await c.getByRole("button", { name: "Trace", exact: true }).click();
  await c.locator('svg.topo-svg[data-trace="reachable"]').waitFor();
  for (const id of [vpcId, gatewayId, vifId, lineId]) {
    assert.ok(await c.locator(`svg.topo-svg [data-node-id="${id}"]`).getAttribute("data-trace-hop"), `the path does not pass ${id}`);
  }
  assert.equal(await c.locator(`svg.topo-svg [data-node-id="${vifId}"]`).getAttribute("data-bgp-status"), "Up");
  await screenshots(c, "guide-trace-reachable");

  // --- The line cannot be deleted while the interface uses it: the refusal names and links it. ---
  await c.goto(`/console/physical-connections/${lineId}`);
  await c.getByRole("heading", { level: 1, name: "idc-guide-1" }).waitFor();
  await confirm(c, "Delete");
  const refusal = c.getByRole("alert").filter({ hasText: "PHYSICAL_CONNECTION_IN_USE" });
  await refusal.getByRole("link", { name: vifId }).waitFor();
  assert.equal(await refusal.getByRole("link", { name: vifId }).getAttribute("href"), `/console/virtual-interfaces/${vifId}`);
  await screenshot(c, "guide-line-delete-refused");

  // --- Deletes in order: routes, the interface, the gateway, the line. ---
  await c.goto(`/console/vpcs/${vpcId}`);
  await confirm(c, "Delete route", c.getByRole("row", { name: /192\.168\.60\.0\/24/ }));
  await c.getByRole("row", { name: /192\.168\.60\.0\/24/ }).waitFor({ state: "detached" });
  await c.goto(`/console/border-gateways/${gatewayId}`);
  for (const destination of [/192\.168\.60\.0\/24/, /10\.60\.0\.0\/16/]) {
    await confirm(c, "Delete route", c.getByRole("row", { name: destination }));
    await c.getByRole("row", { name: destination }).waitFor({ state: "detached" });
  }
  await c.goto(`/console/virtual-interfaces/${vifId}`);
  await deleteHere(c, "/console/virtual-interfaces");
  await c.goto(`/console/border-gateways/${gatewayId}`);
  await deleteHere(c, "/console/border-gateways");
  await c.goto(`/console/physical-connections/${lineId}`);
  await deleteHere(c, "/console/physical-connections");
  await row(c, "idc-guide-1").waitFor({ state: "detached" });

  assert.deepEqual([...customer.errors, ...operator.errors], [], "the pages threw errors");
  console.log("guide.e2e: passed");
} finally {
  await browser.close();
}
