// The console's only way to the system: the public API's gRPC services over gRPC-Web, through the SDK,
// with the signed-in user's bearer token. The same calls any other client makes.
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import {
  AccessDeviceService,
  BorderGatewayService,
  HostedConnectionService,
  LocationService,
  PartnerService,
  PhysicalConnectionService,
  ReachabilityService,
  RouteService,
  RouterService,
  VirtualInterfaceService,
  VpcService,
  WatchService,
} from "@directconnect/sdk";
import { currentSession } from "./session";

const bearer: Interceptor = (next) => async (request) => {
  const session = currentSession();
  if (session) {
    request.header.set("authorization", `Bearer ${session.token}`);
  }
  return await next(request);
};

const transport = createGrpcWebTransport({ baseUrl: location.origin, interceptors: [bearer] });

export const api = {
  physicalConnections: createClient(PhysicalConnectionService, transport),
  hostedConnections: createClient(HostedConnectionService, transport),
  partners: createClient(PartnerService, transport),
  borderGateways: createClient(BorderGatewayService, transport),
  virtualInterfaces: createClient(VirtualInterfaceService, transport),
  vpcs: createClient(VpcService, transport),
  routes: createClient(RouteService, transport),
  reachability: createClient(ReachabilityService, transport),
  locations: createClient(LocationService, transport),
  accessDevices: createClient(AccessDeviceService, transport),
  routers: createClient(RouterService, transport),
  watch: createClient(WatchService, transport),
};

const regionKey = "directconnect.region";

/** The region the console works in (kept per tab). */
export function region(): string {
  return sessionStorage.getItem(regionKey) ?? "";
}

export function setRegion(value: string): void {
  sessionStorage.setItem(regionKey, value);
}

/** Every page of a list call: `page(token)` reads one page, its items and the next page's token ("" after the last). */
export async function allPages<T>(page: (pageToken: string) => Promise<{ items: T[]; next: string }>): Promise<T[]> {
  const all: T[] = [];
  let token = "";
  do {
    const { items, next } = await page(token);
    all.push(...items);
    token = next;
  } while (token);
  return all;
}

/** A fresh request id for a mutation, so that a retry of the same click is answered with the first result. */
export function requestId(): string {
  return crypto.randomUUID();
}
