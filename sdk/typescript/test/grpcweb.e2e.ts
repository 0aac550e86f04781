// The public API as a browser reaches it: the generated TypeScript SDK over Connect's gRPC-Web transport
// (@connectrpc/connect-web, which is fetch(): HTTP/1.1 to the REST port, the bearer token in the
// `authorization` header), and the watch's server-sent events read with fetch() and a ReadableStream
// (a browser's EventSource cannot send the header; no token ever goes in a URL).
//
// Run by tests/DirectConnect.IntegrationTests/TypeScriptSdkTests.cs against a gateway process, with:
//   REST_URL        e.g. http://127.0.0.1:8080
//   OPERATOR_TOKEN  a bearer token with the operator role
//   CUSTOMER_TOKEN  a bearer token with the customer role
// By hand: `npx tsx sdk/typescript/test/grpcweb.e2e.ts` with those set. Exit code 0 means it passed.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import {
  BadRequestSchema,
  Change_ChangeType,
  ErrorInfoSchema,
  LocationService,
  PhysicalConnection_State,
  PhysicalConnectionService,
  PortSpeed,
  WatchService,
  type Change,
} from "../src/index.js";
import { bearer, rejects, required as requiredSetting } from "./support.js";

const required = (name: string) => requiredSetting(name, import.meta.url);

const restUrl = required("REST_URL").replace(/\/$/, "");
const operatorToken = required("OPERATOR_TOKEN");
const customerToken = required("CUSTOMER_TOKEN");
const region = "cn-north-1";

// What a page does: gRPC-Web over fetch() to the gateway's HTTP/1.1 port.
const web = (token?: string) => createGrpcWebTransport({ baseUrl: restUrl, interceptors: token ? [bearer(token)] : [] });

const locations = createClient(LocationService, web(operatorToken));
const operatorLines = createClient(PhysicalConnectionService, web(operatorToken));
const lines = createClient(PhysicalConnectionService, web(customerToken));
const watch = createClient(WatchService, web(customerToken));

// Create and list.
const location = await locations.createLocation({ region, location: { code: `WEB-${randomUUID().slice(0, 8).toUpperCase()}`, name: "over gRPC-Web" } });
const line = await lines.createPhysicalConnection({
  region,
  requestId: randomUUID(),
  physicalConnection: { name: "idc-web", locationId: location.id, portSpeed: PortSpeed.PORT_SPEED_10G, bandwidthMbps: 1000, provider: "China Telecom" },
});
assert.equal(line.state, PhysicalConnection_State.APPLYING);
const listed = await lines.listPhysicalConnections({ region });
assert.ok(listed.physicalConnections.some((l) => l.id === line.id), `${line.id} is not listed over gRPC-Web`);
console.log(`- created and listed ${line.id} over gRPC-Web`);

// Errors: the google.rpc.Status details come through, in the trailers of a method's answer and in the
// headers of a refusal made before any method ran (no token).
const missing = await rejects(Code.NotFound, () => lines.getPhysicalConnection({ region, id: "dxpc-000000000000" }));
assert.equal(missing.findDetails(ErrorInfoSchema)[0]?.reason, "RESOURCE_NOT_FOUND");
const invalid = await rejects(Code.InvalidArgument, () =>
  lines.createPhysicalConnection({ region, physicalConnection: { name: "", locationId: location.id, bandwidthMbps: 1000 } }),
);
assert.ok((invalid.findDetails(BadRequestSchema)[0]?.fieldViolations.length ?? 0) > 0, "INVALID_ARGUMENT without a BadRequest");
const anonymous = await rejects(Code.Unauthenticated, () => createClient(PhysicalConnectionService, web()).listPhysicalConnections({ region }));
assert.equal(anonymous.findDetails(ErrorInfoSchema)[0]?.reason, "UNAUTHENTICATED");
console.log("- errors carry their ErrorInfo over gRPC-Web (RESOURCE_NOT_FOUND, a BadRequest, UNAUTHENTICATED)");

// The watch over gRPC-Web server streaming: the creation (recorded before the stream opened), then a
// change made while the stream is open (the operator approves: APPLYING → PENDING_PAYMENT) arrives on it.
const watching = new AbortController();
const timer = setTimeout(() => watching.abort(), 30_000);
const seen: Change[] = [];
try {
  for await (const change of watch.watchChanges({ region, afterPosition: 0n }, { signal: watching.signal })) {
    if (change.resourceId !== line.id) {
      continue;
    }
    seen.push(change);
    if (change.changeType === Change_ChangeType.CREATED) {
      await operatorLines.approvePhysicalConnection({ region, id: line.id });
    }
    if (change.state === "STATE_PENDING_PAYMENT") {
      break;
    }
  }
} finally {
  clearTimeout(timer);
  watching.abort();
}
assert.deepEqual(
  seen.map((c) => c.state),
  ["STATE_APPLYING", "STATE_PENDING_PAYMENT"],
  `the gRPC-Web watch did not stream the creation and then the approval of ${line.id}`,
);
assert.ok(seen[1].position > seen[0].position);
console.log(`- the gRPC-Web watch streamed ${line.id} created, then approved while it was open`);

// The watch's server-sent events, as a page reads them with the token in a header: fetch() and a stream reader.
const events = new AbortController();
const eventsTimer = setTimeout(() => events.abort(), 30_000);
let text = "";
try {
  const response = await fetch(`${restUrl}/v1/regions/${region}/changes:watch`, {
    headers: { authorization: `Bearer ${customerToken}`, accept: "text/event-stream" },
    signal: events.signal,
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  while (!(text.includes(line.id) && text.includes("STATE_PENDING_PAYMENT"))) {
    const { value, done } = await reader.read();
    assert.ok(!done, `the event stream ended before it carried ${line.id}:\n${text}`);
    text += value;
  }
} finally {
  clearTimeout(eventsTimer);
  events.abort();
}
assert.match(text, /^id: \d+$/m);
assert.match(text, /^event: change$/m);
console.log(`- fetch() read the server-sent events of ${line.id} with the token in the authorization header`);

console.log("grpcweb.e2e: passed");
