// The DirectConnect API (directconnect.v1) for TypeScript: messages, enums and service
// descriptors generated from protos/ by protoc-gen-es (`npm run sdk:generate` at the repository
// root), plus the google.rpc error details the API returns. Create clients with Connect:
//
//   import { createClient } from "@connectrpc/connect";
//   import { createGrpcTransport } from "@connectrpc/connect-node";
//   import { PhysicalConnectionService } from "@directconnect/sdk";
//   const transport = createGrpcTransport({ baseUrl: "http://127.0.0.1:9090" }); // HTTP/2 (h2c);
//   const lines = createClient(PhysicalConnectionService, transport);
export * from "./gen/directconnect/v1/access_pb.js";
export * from "./gen/directconnect/v1/access_device_pb.js";
export * from "./gen/directconnect/v1/border_gateway_pb.js";
export * from "./gen/directconnect/v1/common_pb.js";
export * from "./gen/directconnect/v1/location_pb.js";
export * from "./gen/directconnect/v1/media_type_pb.js";
export * from "./gen/directconnect/v1/physical_connection_pb.js";
export * from "./gen/directconnect/v1/hosted_connection_pb.js";
export * from "./gen/directconnect/v1/partner_pb.js";
export * from "./gen/directconnect/v1/reachability_pb.js";
export * from "./gen/directconnect/v1/route_pb.js";
export * from "./gen/directconnect/v1/router_pb.js";
export * from "./gen/directconnect/v1/virtual_interface_pb.js";
export * from "./gen/directconnect/v1/vpc_pb.js";
export * from "./gen/directconnect/v1/watch_pb.js";
export * from "./gen/google/rpc/error_details_pb.js";
