// The seed procedure end to end through the generated TypeScript SDK, over gRPC (Connect's gRPC
// transport, HTTP/2 without TLS) against a running gateway, plus one read over REST with fetch.
//
// Run by tests/DirectConnect.IntegrationTests/TypeScriptSdkTests.cs, which starts a gateway on
// free loopback ports and passes:
//   GRPC_URL        e.g. http://127.0.0.1:9090
//   REST_URL        e.g. http://127.0.0.1:8080
//   OPERATOR_TOKEN  a bearer token with the operator role
//   CUSTOMER_TOKEN  a bearer token with the customer role (the account that owns everything here)
//   PARTNER_TOKEN   a bearer token with the partner role, of another account
// By hand: `npx tsx sdk/typescript/test/seed.e2e.ts` with those set. Exit code 0 means it passed.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  AccessDevice_PortSchema,
  BorderGateway_State,
  BorderGateway_VpcAttachment_State,
  BorderGatewayService,
  ErrorInfoSchema,
  HostedConnection_State,
  HostedConnectionService,
  LocationService,
  PartnerService,
  AccessDeviceService,
  NextHopType,
  PhysicalConnection_State,
  PhysicalConnectionService,
  PortSpeed,
  PreconditionFailureSchema,
  ReachabilityService,
  ReachabilityTrace_Failure_Reason,
  RouteService,
  VirtualInterface_BgpStatus,
  VirtualInterface_State,
  VirtualInterfaceService,
  VpcService,
  WatchService,
} from "../src/index.js";
import { bearer, rejects, required as requiredSetting } from "./support.js";

const required = (name: string) => requiredSetting(name, import.meta.url);

const grpcUrl = required("GRPC_URL");
const restUrl = required("REST_URL");
const operatorToken = required("OPERATOR_TOKEN");
const customerToken = required("CUSTOMER_TOKEN");
const partnerToken = required("PARTNER_TOKEN");
const region = "cn-north-1";

// One transport per identity: the token travels as gRPC metadata on every call. Connect v2's
// gRPC transport always speaks HTTP/2 (h2c for an http:// base URL), as the gateway's gRPC port needs.
const asOperator = createGrpcTransport({ baseUrl: grpcUrl, interceptors: [bearer(operatorToken)] });
const asCustomer = createGrpcTransport({ baseUrl: grpcUrl, interceptors: [bearer(customerToken)] });
const asPartner = createGrpcTransport({ baseUrl: grpcUrl, interceptors: [bearer(partnerToken)] });

const ops = {
  locations: createClient(LocationService, asOperator),
  devices: createClient(AccessDeviceService, asOperator),
  lines: createClient(PhysicalConnectionService, asOperator),
  vpcs: createClient(VpcService, asOperator),
  interfaces: createClient(VirtualInterfaceService, asOperator),
};
const customer = {
  lines: createClient(PhysicalConnectionService, asCustomer),
  gateways: createClient(BorderGatewayService, asCustomer),
  interfaces: createClient(VirtualInterfaceService, asCustomer),
  routes: createClient(RouteService, asCustomer),
  reachability: createClient(ReachabilityService, asCustomer),
  watch: createClient(WatchService, asCustomer),
};

function step(what: string): void {
  console.log(`- ${what}`);
}

/** Polls (bounded: 30 s) until `condition` holds for what `read` returns. */
async function eventually<T>(read: () => Promise<T>, condition: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const current = await read();
    if (condition(current)) {
      return current;
    }
    if (Date.now() > deadline) {
      throw new Error(`never ${what}; last seen: ${JSON.stringify(current, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function detail<Desc extends DescMessage>(error: ConnectError, schema: Desc): MessageShape<Desc> {
  const [found] = error.findDetails(schema);
  assert.ok(found, `no ${schema.typeName} in the error details of: ${error.message}`);
  return found;
}

async function main(): Promise<void> {
  const suffix = randomUUID().slice(0, 8).toUpperCase();

  step("operator creates a location and an access device");
  const location = await ops.locations.createLocation({
    region,
    location: { code: `TS-${suffix}`, name: "TypeScript SDK test", address: "1 Kechuang Street, Beijing" },
  });
  assert.match(location.id, /^loc-/);
  const device = await ops.devices.createAccessDevice({
    region,
    accessDevice: {
      locationId: location.id,
      name: "asw-01",
      vendor: "Huawei",
      model: "NE40E",
      ports: [create(AccessDevice_PortSchema, { name: "xe-0/0/0", speed: PortSpeed.PORT_SPEED_10G })],
    },
  });
  assert.equal(device.ports.length, 1);

  step("customer orders a physical connection");
  const ordered = await customer.lines.createPhysicalConnection({
    region,
    requestId: randomUUID(),
    physicalConnection: {
      name: "idc-beijing-1",
      locationId: location.id,
      portSpeed: PortSpeed.PORT_SPEED_10G,
      bandwidthMbps: 1000,
      provider: "China Telecom",
    },
  });
  assert.match(ordered.id, /^dxpc-/);
  assert.equal(ordered.state, PhysicalConnection_State.APPLYING);
  const account = ordered.accountId;

  step("operator approves, records payment (a port is allocated) and completes construction");
  assert.equal((await ops.lines.approvePhysicalConnection({ region, id: ordered.id })).state, PhysicalConnection_State.PENDING_PAYMENT);
  const paid = await ops.lines.recordPhysicalConnectionPayment({ region, id: ordered.id });
  assert.equal(paid.state, PhysicalConnection_State.UNDER_CONSTRUCTION);
  assert.equal(paid.port?.accessDeviceId, device.id);
  assert.equal(
    (await ops.lines.completePhysicalConnectionConstruction({ region, id: ordered.id })).state,
    PhysicalConnection_State.AWAITING_CONFIRMATION,
  );

  step("customer confirms: AVAILABLE");
  const line = await customer.lines.confirmPhysicalConnection({ region, id: ordered.id });
  assert.equal(line.state, PhysicalConnection_State.AVAILABLE);

  step("the same connection over REST with fetch");
  const response = await fetch(`${restUrl.replace(/\/$/, "")}/v1/regions/${region}/physicalConnections/${line.id}`, {
    headers: { authorization: `Bearer ${customerToken}` },
  });
  assert.equal(response.status, 200, await response.clone().text());
  const json = (await response.json()) as Record<string, unknown>;
  assert.equal(json.id, line.id);
  assert.equal(json.state, "STATE_AVAILABLE"); // REST enums keep their prefixes
  assert.equal(json.portSpeed, "PORT_SPEED_10G");
  assert.equal(json.bandwidthMbps, 1000); // lowerCamelCase field names

  step("operator registers a VPC for the account");
  const vpc = await ops.vpcs.registerVpc({ region, vpc: { accountId: account, name: "prod", cidrBlocks: ["10.0.0.0/16"] } });
  assert.match(vpc.id, /^vpc-/);

  step("customer creates a border gateway and waits for AVAILABLE on the WatchService stream");
  const created = await customer.gateways.createBorderGateway({ region, borderGateway: { name: "bgw-1" } });
  assert.match(created.id, /^dxbgw-/);
  const watching = new AbortController();
  const timer = setTimeout(() => watching.abort(), 30_000);
  let sawAvailable = false;
  try {
    for await (const change of customer.watch.watchChanges({ region, afterPosition: 0n }, { signal: watching.signal })) {
      if (change.resourceId === created.id && change.state === "STATE_AVAILABLE") {
        sawAvailable = true;
        break;
      }
    }
  } finally {
    clearTimeout(timer);
    watching.abort();
  }
  assert.ok(sawAvailable, "the watch never reported the border gateway AVAILABLE");

  step("the gateway attaches the VPC");
  const gateway = await eventually(
    () => customer.gateways.getBorderGateway({ region, id: created.id }),
    (g) => g.vpcAttachments.some((a) => a.vpcId === vpc.id && a.state === BorderGateway_VpcAttachment_State.ATTACHED),
    "attached the VPC",
  );
  assert.equal(gateway.state, BorderGateway_State.AVAILABLE);
  assert.equal(gateway.asn, 64512n); // int64 is a bigint

  step("customer creates a virtual interface");
  const vif = await customer.interfaces.createVirtualInterface({
    region,
    virtualInterface: {
      name: "vif-100",
      physicalConnectionId: line.id,
      borderGatewayId: gateway.id,
      vlan: 100,
      bandwidthMbps: 500,
      bgp: { customerAsn: 65001n, cloudAddress: "169.254.0.1/30", customerAddress: "169.254.0.2/30", authKey: "my-md5-key" },
      idcPrefixes: ["192.168.0.0/24"],
    },
  });
  assert.match(vif.id, /^dxvif-/);
  assert.equal(vif.bgp?.authKey, ""); // write-only
  assert.equal(vif.bgp?.authKeySet, true);
  await eventually(
    () => customer.interfaces.getVirtualInterface({ region, id: vif.id }),
    (v) => v.state === VirtualInterface_State.AVAILABLE,
    "made the virtual interface AVAILABLE",
  );
  // No router in this region: nothing configures the session, so BGP stays DOWN (only a router's agent reports it).
  assert.equal((await customer.interfaces.getVirtualInterface({ region, id: vif.id })).bgpStatus, VirtualInterface_BgpStatus.DOWN);

  step("routes both ways: VPC → gateway → interface, and gateway → VPC");
  const toIdc = await customer.routes.createVpcRoute({
    region,
    vpcId: vpc.id,
    route: { destination: "192.168.0.0/24", nextHop: { type: NextHopType.BORDER_GATEWAY, id: gateway.id } },
  });
  const viaInterface = await customer.routes.createBorderGatewayRoute({
    region,
    borderGatewayId: gateway.id,
    route: { destination: "192.168.0.0/24", nextHop: { type: NextHopType.VIRTUAL_INTERFACE, id: vif.id } },
  });
  const back = await customer.routes.createBorderGatewayRoute({
    region,
    borderGatewayId: gateway.id,
    route: { destination: "10.0.0.0/16", nextHop: { type: NextHopType.VPC, id: vpc.id } },
  });
  assert.match(toIdc.id, /^rt-/);

  step("reachability traces: the routes match both ways, and the path stops at the interface while BGP is DOWN");
  const outbound = await customer.reachability.traceReachability({ region, sourceAddress: "10.0.1.5", destinationAddress: "192.168.0.10" });
  assert.ok(!outbound.reachable);
  assert.equal(outbound.failure?.reason, ReachabilityTrace_Failure_Reason.BGP_DOWN);
  assert.ok(outbound.hops.some((h) => h.matchedRoute?.id === viaInterface.id));
  const inbound = await customer.reachability.traceReachability({ region, sourceAddress: "192.168.0.10", destinationAddress: "10.0.1.5" });
  assert.ok(!inbound.reachable);
  assert.equal(inbound.failure?.reason, ReachabilityTrace_Failure_Reason.BGP_DOWN);
  assert.match(back.id, /^rt-/);

  step("refused deletes: the connection and the gateway are in use by the interface");
  const lineInUse = await rejects(Code.FailedPrecondition, () => customer.lines.deletePhysicalConnection({ region, id: line.id }));
  assert.equal(detail(lineInUse, ErrorInfoSchema).reason, "PHYSICAL_CONNECTION_IN_USE");
  assert.deepEqual(
    detail(lineInUse, PreconditionFailureSchema).violations.map((v) => v.subject),
    [vif.id],
  );
  const gatewayInUse = await rejects(Code.FailedPrecondition, () => customer.gateways.deleteBorderGateway({ region, id: gateway.id }));
  assert.equal(detail(gatewayInUse, ErrorInfoSchema).reason, "BORDER_GATEWAY_IN_USE");

  step("deletes in the allowed order: routes, interface, gateway, connection");
  await customer.routes.deleteVpcRoute({ region, vpcId: vpc.id, routeId: toIdc.id });
  await customer.routes.deleteBorderGatewayRoute({ region, borderGatewayId: gateway.id, routeId: viaInterface.id });
  await customer.routes.deleteBorderGatewayRoute({ region, borderGatewayId: gateway.id, routeId: back.id });
  assert.equal((await customer.interfaces.deleteVirtualInterface({ region, id: vif.id })).state, VirtualInterface_State.DELETED);
  await eventually(() => customer.lines.getPhysicalConnection({ region, id: line.id }), (c) => c.virtualInterfaceIds.length === 0, "released the line");
  await eventually(() => customer.gateways.getBorderGateway({ region, id: gateway.id }), (g) => g.virtualInterfaceIds.length === 0, "released the gateway");
  assert.equal((await customer.gateways.deleteBorderGateway({ region, id: gateway.id })).state, BorderGateway_State.DELETED);
  assert.equal((await customer.lines.deletePhysicalConnection({ region, id: line.id })).state, PhysicalConnection_State.DELETED);

  step("another account's resource is NOT_FOUND, and a customer may not call operator methods");
  await rejects(Code.NotFound, () => createClient(PhysicalConnectionService, asOperator).getPhysicalConnection({ region, id: "dxpc-doesnotexist" }));
  const denied = await rejects(Code.PermissionDenied, () =>
    createClient(LocationService, asCustomer).createLocation({ region, location: { code: `X-${suffix}`, name: "x" } }),
  );
  assert.ok(detail(denied, ErrorInfoSchema).reason.length > 0);

  step("a partner's hosted connection: its line, an operator's registration, an allocation the customer accepts");
  const partnerLines = createClient(PhysicalConnectionService, asPartner);
  const ic = await partnerLines.createPhysicalConnection({
    region,
    physicalConnection: { name: "carrier-ic", locationId: location.id, portSpeed: PortSpeed.PORT_SPEED_10G, bandwidthMbps: 10000, provider: "China Telecom" },
  });
  await ops.lines.approvePhysicalConnection({ region, id: ic.id });
  await ops.lines.recordPhysicalConnectionPayment({ region, id: ic.id }); // the port the customer's deleted line released
  await ops.lines.completePhysicalConnectionConstruction({ region, id: ic.id });
  assert.equal((await partnerLines.confirmPhysicalConnection({ region, id: ic.id })).state, PhysicalConnection_State.AVAILABLE);
  const hostedByPartner = createClient(HostedConnectionService, asPartner);
  const unregistered = await rejects(Code.FailedPrecondition, () =>
    hostedByPartner.allocateHostedConnection({ region, hostedConnection: { physicalConnectionId: ic.id, accountId: account, vlan: 700, bandwidthMbps: 500 } }),
  );
  assert.equal(detail(unregistered, ErrorInfoSchema).reason, "PARTNER_NOT_REGISTERED");
  await createClient(PartnerService, asOperator).registerPartner({ region, partner: { accountId: ic.accountId, name: "Example Carrier Networks" } });
  const allocated = await hostedByPartner.allocateHostedConnection({
    region,
    requestId: randomUUID(),
    hostedConnection: { physicalConnectionId: ic.id, accountId: account, vlan: 700, bandwidthMbps: 500 },
  });
  assert.match(allocated.id, /^dxhc-/);
  assert.equal(allocated.state, HostedConnection_State.PENDING_ACCEPTANCE);
  const hostedForCustomer = createClient(HostedConnectionService, asCustomer);
  const offered = (await hostedForCustomer.listHostedConnections({ region })).hostedConnections;
  assert.deepEqual(offered.map((h) => [h.id, h.partnerName, h.physicalConnectionId, h.partnerAccountId]), [[allocated.id, "Example Carrier Networks", "", ""]]);
  const accepted = await hostedForCustomer.acceptHostedConnection({ region, id: allocated.id, etag: offered[0]!.etag });
  assert.equal(accepted.state, HostedConnection_State.AVAILABLE);
  assert.equal((await hostedForCustomer.deleteHostedConnection({ region, id: allocated.id })).state, HostedConnection_State.DELETED);
  assert.deepEqual((await partnerLines.getPhysicalConnection({ region, id: ic.id })).hostedConnectionIds, []);
}

main().then(
  () => {
    console.log("seed.e2e: passed");
  },
  (error: unknown) => {
    console.error("seed.e2e: FAILED");
    console.error(error);
    process.exit(1);
  },
);
