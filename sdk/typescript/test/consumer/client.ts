// The same consumer's types, checked by tsc against the installed packages (TypeScriptSdkTests):
// the SDK's messages and descriptors must be the ones of the protobuf-es the consumer installed,
// or passing them to Connect fails to typecheck (TS2345), as it did when the SDK pinned its own.
import { createClient, ConnectError } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { create } from "@bufbuild/protobuf";
import { ErrorInfoSchema, LocationService, LocationSchema, type Location } from "@directconnect/sdk";

const transport = createGrpcTransport({ baseUrl: "http://127.0.0.1:9090" });
const locations = createClient(LocationService, transport);
const draft: Location = create(LocationSchema, { code: "TYPES-1", name: "types" });

export async function check(): Promise<string | undefined> {
  try {
    await locations.createLocation({ region: "cn-north-1", location: draft });
    return undefined;
  } catch (e) {
    return ConnectError.from(e).findDetails(ErrorInfoSchema)[0]?.reason;
  }
}
