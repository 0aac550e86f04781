// A consumer of the packed SDK, in plain JavaScript run by plain Node.js (no TypeScript loader):
// what someone who installed @directconnect/sdk from its tarball writes. TypeScriptSdkTests packs the
// SDK, installs the tarball next to current releases of protobuf-es and Connect in a temporary
// project, copies this file there and runs it against a gateway.
//
//   GRPC_URL=http://127.0.0.1:9090 OPERATOR_TOKEN=… CUSTOMER_TOKEN=… node client.mjs
import { createClient, ConnectError, Code } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema, LocationService, PhysicalConnectionService } from "@directconnect/sdk";

const bearer = (token) => (next) => (req) => {
  req.header.set("authorization", `Bearer ${token}`);
  return next(req);
};
const transport = (token) => createGrpcTransport({ baseUrl: process.env.GRPC_URL, interceptors: [bearer(token)] });

const locations = createClient(LocationService, transport(process.env.OPERATOR_TOKEN));
const created = await locations.createLocation({ region: "cn-north-1", location: { code: "PACK-1", name: "from the tarball" } });
const listed = await locations.listLocations({ region: "cn-north-1" });
if (!listed.locations.some((l) => l.id === created.id)) {
  throw new Error(`the location ${created.id} is not listed`);
}

const lines = createClient(PhysicalConnectionService, transport(process.env.CUSTOMER_TOKEN));
try {
  await lines.getPhysicalConnection({ region: "cn-north-1", id: "dxpc-000000000000" });
  throw new Error("a connection that does not exist was found");
} catch (e) {
  const error = ConnectError.from(e);
  const reason = error.findDetails(ErrorInfoSchema)[0]?.reason;
  if (error.code !== Code.NotFound || reason !== "RESOURCE_NOT_FOUND") {
    throw new Error(`expected NOT_FOUND / RESOURCE_NOT_FOUND, got ${Code[error.code]} / ${reason}`);
  }
}

console.log(`consumer: passed (${created.id}, ${listed.locations.length} locations)`);
