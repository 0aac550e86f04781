// The console in Debian's chromium (headless, playwright-core), against a running gateway:
//   - an order form shows each of the API's field violations next to its field (aria-invalid, described by it);
//   - a state change made in another person's session appears without a reload (the watch stream);
//   - the topology picture shows the right nodes and states;
//   - axe-core finds no serious or critical violation on the main pages;
//   - screenshots of the main pages at a desktop and a narrow width go to SCREENSHOTS_DIR.
// Environment: CONSOLE_URL (the gateway's REST address), ACCOUNT (a fresh customer account), SCREENSHOTS_DIR.
// Run by ConsoleBrowserTests (tests/DirectConnect.IntegrationTests).
import assert from "node:assert/strict";
import { type Page } from "playwright-core";
import { accessible, desktop, launch, narrow, navigate, person, required, restApi, row, screenshot, signIn } from "./support.js";

const test = "gateway/Console/test/console.e2e.ts";
const base = required("CONSOLE_URL", test);
const account = required("ACCOUNT", test);

const { token, call } = restApi(base);

/** The error shown for the field labelled `label`: the input says it is invalid and is described by the message. */
async function fieldError(page: Page, label: string): Promise<string> {
  const input = page.getByLabel(label, { exact: true });
  assert.equal(await input.getAttribute("aria-invalid"), "true", `${label} is not marked invalid`);
  const described = (await input.getAttribute("aria-describedby")) ?? "";
  const errorId = described.split(" ").find((id) => id.endsWith("-error"));
  assert.ok(errorId, `${label} is not described by an error message`);
  return (await page.locator(`#${errorId}`).textContent()) ?? "";
}

const ops = await token("ops", "operator");
const location = await call<{ id: string }>(ops, "POST", "/locations", { code: `WEB-${account}`.toUpperCase().slice(0, 20), name: `Console test ${account}` });
await call(ops, "POST", "/accessDevices", {
  locationId: location.id,
  name: "asw-web-01",
  ports: [{ name: "xe-0/0/0", speed: "PORT_SPEED_10G" }, { name: "xe-0/0/1", speed: "PORT_SPEED_10G" }],
});

const browser = await launch();
try {
  const customer = await person(browser, base);
  const operator = await person(browser, base);

  // The sign-in page says what the development sign-in is, and is accessible.
  await customer.page.goto("/console/");
  await customer.page.getByRole("note").filter({ hasText: "Development sign-in" }).waitFor();
  await accessible(customer.page, "the sign-in page");
  await screenshot(customer.page, "sign-in-desktop");
  await signIn(customer.page, account, "customer");
  await signIn(operator.page, "ops", "operator");

  // --- A validation error appears next to its field. ---
  const c = customer.page;
  await navigate(c, "Physical Connections");
  await c.getByRole("link", { name: "Create physical connection" }).click();
  await c.getByRole("heading", { level: 1, name: "Create physical connection" }).waitFor();
  await c.getByLabel("Location").selectOption(location.id);
  await c.getByLabel("Bandwidth (Mbit/s)").fill("20000");
  await c.getByRole("button", { name: "Create" }).click();
  await c.getByRole("alert").waitFor();
  assert.match(await fieldError(c, "Name"), /is required/);
  assert.match(await fieldError(c, "Bandwidth (Mbit/s)"), /between 1 and 10000/);
  assert.match(await fieldError(c, "Provider"), /is required/);
  assert.equal(await c.getByLabel("Location").getAttribute("aria-invalid"), "false");
  await accessible(c, "the order form showing field errors");
  await screenshot(c, "physical-connection-form-errors-desktop");

  // A number field with text that is no number: the request still goes, so the other fields keep the API's verdict,
  // and the field says what was typed (not the API's words about the -1 sent in its place).
  await c.getByLabel("Bandwidth (Mbit/s)").fill("abc");
  await c.getByRole("button", { name: "Create" }).click();
  await c.locator('[data-error-for="physical_connection.bandwidth_mbps"]', { hasText: "whole number" }).waitFor();
  assert.equal(await fieldError(c, "Bandwidth (Mbit/s)"), "must be a whole number, got 'abc'");
  assert.match(await fieldError(c, "Provider"), /is required/);
  assert.doesNotMatch((await c.getByRole("alert").textContent()) ?? "", /-1/);

  // Corrected, the order goes through: the detail page says Applying.
  await c.getByLabel("Name").fill("idc-web-1");
  await c.getByLabel("Bandwidth (Mbit/s)").fill("1000");
  await c.getByLabel("Provider").fill("China Telecom");
  await c.getByRole("button", { name: "Create" }).click();
  await c.getByRole("heading", { level: 1, name: "idc-web-1" }).waitFor();
  const lineId = c.url().split("/").pop()!;
  assert.match(lineId, /^dxpc-/);
  assert.equal(await c.locator('[data-fact="Status"]').textContent(), "Applying");

  // --- A state change made by the other session appears without a reload. ---
  await navigate(c, "Physical Connections");
  await row(c, "idc-web-1").getByText("Applying").waitFor();
  await c.evaluate(() => ((window as unknown as { stillThisPage: boolean }).stillThisPage = true));
  const o = operator.page;
  await o.goto(`/console/physical-connections/${lineId}`);
  await o.getByRole("heading", { level: 1, name: "idc-web-1" }).waitFor();
  await o.getByRole("button", { name: "Approve" }).click();
  await o.getByRole("button", { name: "Yes, approve" }).click();
  await o.locator('[data-fact="Status"]', { hasText: "Pending payment" }).waitFor();
  await row(c, "idc-web-1").getByText("Pending payment").waitFor({ timeout: 10_000 });
  assert.equal(await c.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage), true, "the list was reloaded");
  assert.equal(await c.locator("[data-live]").getAttribute("data-live"), "live");
  await accessible(c, "the physical connections list");
  await screenshot(c, "physical-connections-desktop");
  await c.setViewportSize(narrow);
  await screenshot(c, "physical-connections-narrow");
  await c.setViewportSize(desktop);

  // --- The topology picture shows the right nodes and states. ---
  // A second line taken to AVAILABLE, a VPC, a gateway attached to it and an interface, through the API.
  const me = await token(account, "customer");
  const line = await call<{ id: string }>(me, "POST", "/physicalConnections", {
    name: "idc-web-2", locationId: location.id, portSpeed: "PORT_SPEED_10G", bandwidthMbps: 2000, provider: "China Unicom",
  });
  for (const [who, step] of [[ops, "approve"], [ops, "recordPayment"], [ops, "completeConstruction"], [me, "confirm"]] as const) {
    await call(who, "POST", `/physicalConnections/${line.id}:${step}`, {});
  }
  const vpc = await call<{ id: string }>(ops, "POST", "/vpcs", { accountId: account, name: "web-prod", cidrBlocks: ["10.70.0.0/16"] });
  const gateway = await call<{ id: string }>(me, "POST", "/borderGateways", { name: "bgw-web" });
  const vif = await call<{ id: string }>(me, "POST", "/virtualInterfaces", {
    name: "vif-web", physicalConnectionId: line.id, borderGatewayId: gateway.id, vlan: 170, bandwidthMbps: 500,
    bgp: { customerAsn: 65070, cloudAddress: "169.254.70.1/30", customerAddress: "169.254.70.2/30" }, idcPrefixes: ["192.168.70.0/24"],
  });
  await call(me, "POST", `/vpcs/${vpc.id}/routes`, { destination: "192.168.70.0/24", nextHop: { type: "NEXT_HOP_TYPE_BORDER_GATEWAY", id: gateway.id } });
  await call(me, "POST", `/borderGateways/${gateway.id}/routes`, { destination: "192.168.70.0/24", nextHop: { type: "NEXT_HOP_TYPE_VIRTUAL_INTERFACE", id: vif.id } });

  await navigate(c, "Topology and trace");
  const node = (id: string) => c.locator(`svg.topo-svg [data-node-id="${id}"]`);
  await node(vif.id).waitFor();
  assert.equal(await node(line.id).getAttribute("data-kind"), "physical-connection");
  assert.equal(await node(line.id).getAttribute("data-state"), "Available");
  assert.equal(await node(lineId).getAttribute("data-state"), "Pending payment");
  assert.equal(await node(vif.id).getAttribute("data-kind"), "virtual-interface");
  assert.equal(await node(vif.id).getAttribute("data-bgp-status"), "Down");
  assert.equal(await node(gateway.id).getAttribute("data-kind"), "border-gateway");
  assert.equal(await node(vpc.id).getAttribute("data-kind"), "vpc");
  assert.equal(await node(`idc:${line.id}`).getAttribute("data-state"), "BGP Down");
  await c.getByRole("link", { name: /^Virtual interface vif-web, Available, BGP Down/ }).waitFor();
  // Without routers BGP never comes up on the embedded default: the trace stops at the interface, named.
  await c.getByLabel("Source address").fill("10.70.0.5");
  await c.getByLabel("Destination address").fill("192.168.70.10");
  await c.getByRole("button", { name: "Trace", exact: true }).click();
  await c.locator('svg.topo-svg[data-trace="unreachable"]').waitFor();
  assert.equal(await node(vif.id).getAttribute("data-trace-failed"), "true");
  assert.equal(await c.locator(".topo-outcome").getAttribute("data-reason"), "BGP_DOWN");
  assert.ok((await node(vpc.id).getAttribute("data-trace-hop")) !== null, "the path does not start at the VPC");
  await c.locator(`g.topo-fail-callout[data-trace-failure="${vif.id}"]`).waitFor();
  await accessible(c, "the topology with a trace");
  await screenshot(c, "topology-trace-desktop");
  await c.setViewportSize(narrow);
  await screenshot(c, "topology-trace-narrow");
  await c.setViewportSize(desktop);

  // --- The other main pages: accessible, and kept as screenshots at both widths. ---
  const pages: [string, string, string][] = [
    ["virtual-interfaces", `/console/virtual-interfaces`, "Private Virtual Interfaces"],
    ["virtual-interface-detail", `/console/virtual-interfaces/${vif.id}`, "vif-web"],
    ["virtual-interface-form", `/console/virtual-interfaces/new`, "Create virtual interface"],
    ["border-gateways", `/console/border-gateways`, "Border Gateways"],
    ["border-gateway-detail", `/console/border-gateways/${gateway.id}`, "bgw-web"],
    ["vpcs", `/console/vpcs`, "VPCs"],
    ["vpc-detail", `/console/vpcs/${vpc.id}`, "web-prod"],
    ["physical-connection-detail", `/console/physical-connections/${line.id}`, "idc-web-2"],
  ];
  for (const [name, path, heading] of pages) {
    await c.goto(path);
    await c.getByRole("heading", { level: 1, name: heading }).waitFor();
    await c.locator(".loading").first().waitFor({ state: "detached" }).catch(() => undefined);
    await accessible(c, name);
    await screenshot(c, `${name}-desktop`);
    await c.setViewportSize(narrow);
    await screenshot(c, `${name}-narrow`);
    await c.setViewportSize(desktop);
  }

  assert.deepEqual([...customer.errors, ...operator.errors], [], "the pages threw errors");
  console.log("console.e2e: passed");
} finally {
  await browser.close();
}
