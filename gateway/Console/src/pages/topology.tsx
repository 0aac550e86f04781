// Topology and trace: the account's connectivity in the region as a picture — customer IDC ↔ physical connection
// ↔ virtual interface ↔ border gateway ↔ VPCs — with states and BGP status in text and colour, and a reachability
// trace drawn over it (forward and return path, the failing hop marked and named). Everything comes from the
// public API (List… of the four resources, TraceReachability); the same picture is a table for screen readers.
import {
  type BorderGateway,
  BorderGateway_State,
  BorderGateway_VpcAttachment_State,
  type HostedConnection,
  HostedConnection_State,
  type PhysicalConnection,
  PhysicalConnection_State,
  type ReachabilityTrace,
  type ReachabilityTrace_Hop,
  ReachabilityTrace_Failure_Reason as Reason,
  ReachabilityTrace_Hop_Kind as HopKind,
  NextHopType,
  type Route,
  Route_Origin,
  Route_State,
  type VirtualInterface,
  VirtualInterface_BgpStatus,
  VirtualInterface_State,
  type Vpc,
  Vpc_State,
} from "@directconnect/sdk";
import { useLocation } from "preact-iso";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, region } from "../api";
import { submitted, useForm } from "../forms";
import { currentSession, isOperator } from "../session";
import { ErrorBox, Field, IdLink, Loading, Page, StatusBadge, enumText, hrefOf, humanize, useAction, useLive } from "../ui";
import "./topology.css";

// ---------------------------------------------------------------------------------------------------------------
// The graph

type Kind = "idc" | "physical-connection" | "virtual-interface" | "border-gateway" | "vpc";
type Tone = "ok" | "wait" | "bad" | "off";

const columns: Kind[] = ["idc", "physical-connection", "virtual-interface", "border-gateway", "vpc"];
const kindName: Record<Kind, string> = {
  idc: "IDC",
  "physical-connection": "Physical connection",
  "virtual-interface": "Virtual interface",
  "border-gateway": "Border gateway",
  vpc: "VPC",
};
const columnTitle: Record<Kind, string> = {
  idc: "Customer IDC",
  "physical-connection": "Physical connections",
  "virtual-interface": "Virtual interfaces",
  "border-gateway": "Border gateways",
  vpc: "VPCs",
};

interface TopoNode {
  /** `data-node-id`: the resource id; for an IDC `idc:<physical connection id>`. */
  key: string;
  kind: Kind;
  name: string;
  /** The id shown under the name (an IDC shows its prefixes instead). */
  sub: string;
  href: string | null;
  /** State as text; a virtual interface has its BGP status second ("BGP Down"). */
  states: string[];
  /** A short fact shown at the right of the state (bandwidth, ASN, CIDR blocks). */
  detail: string;
  /** The fact in full, for the table (every CIDR block of a VPC). */
  fullDetail?: string;
  /** A node the trace names that is not in the lists (not visible, deleted, or no IDC prefix matched). */
  ghost?: boolean;
  /** Not visible to the signed-in user (an operator looking at another account's interfaces). */
  hidden?: boolean;
  prefixes?: string[];
  routeTableId?: string;
}

interface TopoEdge {
  from: string;
  to: string;
  /** IDC–line (the cable), line–interface (a VLAN), interface–gateway (its BGP session), gateway–VPC (an attachment). */
  kind: "line" | "vlan" | "bgp" | "attachment";
  label?: string;
  state?: string;
}

interface Graph {
  nodes: TopoNode[];
  edges: TopoEdge[];
}

interface Inventory {
  lines: PhysicalConnection[];
  /** Hosted connections: the customer's count as lines of theirs, carried by a partner. */
  hosted: HostedConnection[];
  interfaces: VirtualInterface[];
  gateways: BorderGateway[];
  vpcs: Vpc[];
}

/** Every page of a List call. */
async function everyPage<T>(page: (token: string) => Promise<{ items: T[]; next: string }>): Promise<T[]> {
  const all: T[] = [];
  let token = "";
  for (let i = 0; i < 1000; i++) {
    const { items, next } = await page(token);
    all.push(...items);
    if (!next) {
      break;
    }
    token = next;
  }
  return all;
}

async function loadInventory(): Promise<Inventory> {
  const r = region();
  const [lines, hosted, interfaces, gateways, vpcs] = await Promise.all([
    everyPage(async (pageToken) => {
      const p = await api.physicalConnections.listPhysicalConnections({ region: r, pageSize: 1000, pageToken });
      return { items: p.physicalConnections, next: p.nextPageToken };
    }),
    everyPage(async (pageToken) => {
      const p = await api.hostedConnections.listHostedConnections({ region: r, pageSize: 1000, pageToken });
      return { items: p.hostedConnections, next: p.nextPageToken };
    }),
    everyPage(async (pageToken) => {
      const p = await api.virtualInterfaces.listVirtualInterfaces({ region: r, pageSize: 1000, pageToken });
      return { items: p.virtualInterfaces, next: p.nextPageToken };
    }),
    everyPage(async (pageToken) => {
      const p = await api.borderGateways.listBorderGateways({ region: r, pageSize: 1000, pageToken });
      return { items: p.borderGateways, next: p.nextPageToken };
    }),
    everyPage(async (pageToken) => {
      const p = await api.vpcs.listVpcs({ region: r, pageSize: 1000, pageToken });
      return { items: p.vpcs, next: p.nextPageToken };
    }),
  ]);
  return {
    lines: lines.filter((l) => l.state !== PhysicalConnection_State.DELETED),
    hosted,
    interfaces: interfaces.filter((v) => v.state !== VirtualInterface_State.DELETED),
    gateways: gateways.filter((g) => g.state !== BorderGateway_State.DELETED),
    vpcs: vpcs.filter((v) => v.state !== Vpc_State.DELETED),
  };
}

const bgpText = (v: VirtualInterface) =>
  v.bgpStatus === VirtualInterface_BgpStatus.UNSPECIFIED ? "BGP Unknown" : `BGP ${enumText(VirtualInterface_BgpStatus, v.bgpStatus)}`;

/** What carries interfaces: a line of the account's, or a hosted connection it holds. */
interface Carrier {
  id: string;
  name: string;
  bandwidthMbps: number;
  state: string;
  virtualInterfaceIds: string[];
}

const byName = <T extends { name: string; id: string }>(a: T, b: T) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

function mean(values: number[], otherwise: number): number {
  return values.length === 0 ? otherwise : values.reduce((a, b) => a + b, 0) / values.length;
}

function megabits(mbps: number): string {
  return mbps >= 1000 && mbps % 1000 === 0 ? `${mbps / 1000} Gbit/s` : `${mbps} Mbit/s`;
}

/**
 * The account's resources as columns, each ordered so that edges cross as little as they can: lines by name, each
 * line's interfaces by VLAN under it, gateways by where their interfaces are, VPCs by where their gateways are.
 */
function buildGraph(inventory: Inventory, account: string): Graph {
  const mine = <T extends { accountId: string }>(items: T[]) => items.filter((i) => i.accountId === account);
  // The account's own lines and the hosted connections it holds both carry its interfaces: one column.
  const lines: Carrier[] = [
    ...mine(inventory.lines).map((l) => ({
      id: l.id, name: l.name, bandwidthMbps: l.bandwidthMbps, state: enumText(PhysicalConnection_State, l.state), virtualInterfaceIds: l.virtualInterfaceIds,
    })),
    ...mine(inventory.hosted)
      .filter((h) => h.state === HostedConnection_State.PENDING_ACCEPTANCE || h.state === HostedConnection_State.AVAILABLE)
      .map((h) => ({
        id: h.id, name: `Hosted by ${h.partnerName}`, bandwidthMbps: h.bandwidthMbps, state: enumText(HostedConnection_State, h.state),
        virtualInterfaceIds: h.virtualInterfaceIds,
      })),
  ].sort(byName);
  const lineIndex = new Map(lines.map((l, i) => [l.id, i]));
  const carrierOf = (v: VirtualInterface) => v.hostedConnectionId || v.physicalConnectionId;
  const interfaces = mine(inventory.interfaces).sort(
    (a, b) => (lineIndex.get(carrierOf(a)) ?? 1e9) - (lineIndex.get(carrierOf(b)) ?? 1e9) || a.vlan - b.vlan || a.id.localeCompare(b.id),
  );
  const seen = new Set(interfaces.map((v) => v.id));
  const vifIndex = new Map(interfaces.map((v, i) => [v.id, i]));
  const gateways = mine(inventory.gateways)
    .map((g) => ({ g, at: mean(interfaces.filter((v) => v.borderGatewayId === g.id).map((v) => vifIndex.get(v.id)!), 1e6) }))
    .sort((a, b) => a.at - b.at || byName(a.g, b.g))
    .map((x) => x.g);
  const gatewayIndex = new Map(gateways.map((g, i) => [g.id, i]));
  const vpcs = mine(inventory.vpcs)
    .map((v) => ({
      v,
      at: mean(gateways.filter((g) => g.vpcAttachments.some((a) => a.vpcId === v.id)).map((g) => gatewayIndex.get(g.id)!), 1e6),
    }))
    .sort((a, b) => a.at - b.at || byName(a.v, b.v))
    .map((x) => x.v);

  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  for (const line of lines) {
    const onLine = interfaces.filter((v) => carrierOf(v) === line.id);
    const unseen = line.virtualInterfaceIds.filter((id) => !seen.has(id));
    const prefixes = [...new Set(onLine.flatMap((v) => v.idcPrefixes))];
    const state = onLine.length === 0
      ? unseen.length > 0 ? "BGP Unknown" : "No interfaces"
      : onLine.some((v) => v.bgpStatus === VirtualInterface_BgpStatus.UP) ? "BGP Up" : "BGP Down";
    nodes.push({
      key: `idc:${line.id}`,
      kind: "idc",
      name: `IDC of ${line.name}`,
      sub: prefixes.length > 0 ? prefixes.join(", ") : unseen.length > 0 ? "Prefixes not visible" : "No prefixes announced",
      href: hrefOf(line.id),
      states: [state],
      detail: "",
      prefixes,
    });
    edges.push({ from: `idc:${line.id}`, to: line.id, kind: "line" });
    nodes.push({
      key: line.id,
      kind: "physical-connection",
      name: line.name,
      sub: line.id,
      href: hrefOf(line.id),
      states: [line.state],
      detail: megabits(line.bandwidthMbps),
    });
    // An operator sees every account's lines but only its own interfaces: the others are named, not shown.
    for (const id of unseen) {
      nodes.push({ key: id, kind: "virtual-interface", name: id, sub: "Not visible to you", href: null, states: ["Unknown"], detail: "", hidden: true });
      edges.push({ from: line.id, to: id, kind: "vlan" });
    }
  }
  for (const v of interfaces) {
    nodes.push({
      key: v.id,
      kind: "virtual-interface",
      name: v.name,
      sub: v.id,
      href: hrefOf(v.id),
      states: [enumText(VirtualInterface_State, v.state), bgpText(v)],
      detail: `VLAN ${v.vlan}`,
      prefixes: v.idcPrefixes,
    });
    if (lineIndex.has(carrierOf(v))) {
      edges.push({ from: carrierOf(v), to: v.id, kind: "vlan", label: `VLAN ${v.vlan}` });
    }
    if (gatewayIndex.has(v.borderGatewayId)) {
      edges.push({ from: v.id, to: v.borderGatewayId, kind: "bgp", label: `AS ${v.bgp?.customerAsn ?? "?"}` });
    }
  }
  for (const g of gateways) {
    nodes.push({
      key: g.id,
      kind: "border-gateway",
      name: g.name,
      sub: g.id,
      href: hrefOf(g.id),
      states: [enumText(BorderGateway_State, g.state)],
      detail: `AS ${g.asn}`,
      routeTableId: g.routeTableId,
    });
    for (const a of g.vpcAttachments) {
      edges.push({ from: g.id, to: a.vpcId, kind: "attachment", state: enumText(BorderGateway_VpcAttachment_State, a.state), label: a.reason });
    }
  }
  for (const v of vpcs) {
    nodes.push({
      key: v.id,
      kind: "vpc",
      name: v.name,
      sub: v.id,
      href: hrefOf(v.id),
      states: [enumText(Vpc_State, v.state)],
      detail: v.cidrBlocks.length > 1 ? `${v.cidrBlocks[0]} +${v.cidrBlocks.length - 1}` : v.cidrBlocks[0] ?? "",
      fullDetail: v.cidrBlocks.join(", "),
      routeTableId: v.routeTableId,
    });
  }
  const keys = new Set(nodes.map((n) => n.key));
  return { nodes, edges: edges.filter((e) => keys.has(e.from) && keys.has(e.to)) };
}

// ---------------------------------------------------------------------------------------------------------------
// States as colours (the same four tones as the badges)

const toneWords: Record<string, Tone> = {
  available: "ok", attached: "ok", up: "ok",
  applying: "wait", "pending payment": "wait", "under construction": "wait", "awaiting confirmation": "wait",
  creating: "wait", configuring: "wait", "pending acceptance": "wait",
  rejected: "bad", refused: "bad", down: "bad",
  deleted: "off", unknown: "off", "no interfaces": "off",
};

function toneOf(state: string): Tone {
  return toneWords[state.toLowerCase().replace(/^bgp /, "")] ?? "off";
}

const toneRank: Record<Tone, number> = { ok: 0, off: 1, wait: 2, bad: 3 };

/** A node's colour: the worst of its states (an available interface whose session is down is red). */
function nodeTone(node: TopoNode): Tone {
  if (node.ghost || node.hidden) {
    return "off";
  }
  return node.states.map(toneOf).reduce((a, b) => (toneRank[b] > toneRank[a] ? b : a), "ok" as Tone);
}

// ---------------------------------------------------------------------------------------------------------------
// The trace over the graph

const hopKindText: Record<number, string> = {
  [HopKind.VPC]: "VPC",
  [HopKind.VPC_ROUTE_TABLE]: "VPC route table",
  [HopKind.BORDER_GATEWAY]: "Border gateway",
  [HopKind.BORDER_GATEWAY_ROUTE_TABLE]: "Border gateway route table",
  [HopKind.VIRTUAL_INTERFACE]: "Virtual interface",
  [HopKind.PHYSICAL_CONNECTION]: "Physical connection",
  [HopKind.HOSTED_CONNECTION]: "Hosted connection",
  [HopKind.IDC]: "IDC",
};

const hopKindAttribute: Record<number, string> = {
  [HopKind.VPC]: "vpc",
  [HopKind.VPC_ROUTE_TABLE]: "vpc-route-table",
  [HopKind.BORDER_GATEWAY]: "border-gateway",
  [HopKind.BORDER_GATEWAY_ROUTE_TABLE]: "border-gateway-route-table",
  [HopKind.VIRTUAL_INTERFACE]: "virtual-interface",
  [HopKind.PHYSICAL_CONNECTION]: "physical-connection",
  [HopKind.HOSTED_CONNECTION]: "hosted-connection",
  [HopKind.IDC]: "idc",
};

const hopColumn: Record<number, Kind> = {
  [HopKind.VPC]: "vpc",
  [HopKind.VPC_ROUTE_TABLE]: "vpc",
  [HopKind.BORDER_GATEWAY]: "border-gateway",
  [HopKind.BORDER_GATEWAY_ROUTE_TABLE]: "border-gateway",
  [HopKind.VIRTUAL_INTERFACE]: "virtual-interface",
  [HopKind.PHYSICAL_CONNECTION]: "physical-connection",
  [HopKind.HOSTED_CONNECTION]: "physical-connection",
  [HopKind.IDC]: "idc",
};

const reasonText: Record<number, string> = {
  [Reason.NO_ROUTE]: "No route",
  [Reason.BLACKHOLE]: "Blackhole route",
  [Reason.VIRTUAL_INTERFACE_NOT_AVAILABLE]: "Virtual interface not available",
  [Reason.PHYSICAL_CONNECTION_NOT_AVAILABLE]: "Physical connection not available",
  [Reason.BGP_DOWN]: "BGP down",
  [Reason.NO_RETURN_ROUTE]: "No return route",
  [Reason.HOSTED_CONNECTION_NOT_AVAILABLE]: "Hosted connection not available",
};

const isReturnHop = (hop: ReachabilityTrace_Hop) => hop.note.toLowerCase().startsWith("return path");

function parseCidr(text: string): { network: number; mask: number } | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(text.trim());
  if (!m) {
    return null;
  }
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  const address = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { network: (address & mask) >>> 0, mask };
}

/** Whether the prefixes overlap (one contains the other). */
function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x || !y) {
    return false;
  }
  const mask = (x.mask & y.mask) >>> 0;
  return ((x.network & mask) >>> 0) === ((y.network & mask) >>> 0);
}

interface TracePlan {
  /** The node each hop is drawn at (by hop index); ghosts are added for hops naming nothing in the picture. */
  hopNodes: string[];
  forward: string[];
  back: string[];
  failNode?: string;
  failLabel?: string;
  ghosts: TopoNode[];
}

function hopLabel(hop: ReachabilityTrace_Hop, node: TopoNode | undefined): string {
  switch (hop.kind) {
    case HopKind.VPC_ROUTE_TABLE:
    case HopKind.BORDER_GATEWAY_ROUTE_TABLE:
      return node && !node.ghost ? `${node.name} route table` : `route table ${hop.resourceId}`;
    case HopKind.IDC:
      return hop.resourceId ? `IDC ${hop.resourceId}` : "the IDC";
    default:
      return node && !node.ghost ? node.name : hop.resourceId;
  }
}

function planTrace(graph: Graph, trace: ReachabilityTrace, source: string): TracePlan {
  const byKey = new Map(graph.nodes.map((n) => [n.key, n]));
  const byTable = new Map(graph.nodes.filter((n) => n.routeTableId).map((n) => [n.routeTableId!, n.key]));
  const ghosts: TopoNode[] = [];
  const ghost = (kind: Kind, key: string, name: string, sub: string, state = "Not found") => {
    if (!byKey.has(key)) {
      const n: TopoNode = { key, kind, name, sub, href: hrefOf(name), states: [state], detail: "", ghost: true };
      ghosts.push(n);
      byKey.set(key, n);
    }
    return key;
  };
  const hops = trace.hops;
  const hopNodes: string[] = [];
  const nearest = (i: number, kind: HopKind) => {
    for (const j of [i - 1, i + 1, i - 2, i + 2]) {
      if (hops[j]?.kind === kind) {
        return hops[j];
      }
    }
    return undefined;
  };
  hops.forEach((hop, i) => {
    const route: Route | undefined = hop.matchedRoute;
    let key: string | undefined;
    switch (hop.kind) {
      case HopKind.VPC_ROUTE_TABLE:
        key = byTable.get(hop.resourceId) ?? (route?.table.case === "vpcId" ? route.table.value : undefined) ?? nearest(i, HopKind.VPC)?.resourceId;
        break;
      case HopKind.BORDER_GATEWAY_ROUTE_TABLE:
        key = byTable.get(hop.resourceId) ?? (route?.table.case === "borderGatewayId" ? route.table.value : undefined) ?? nearest(i, HopKind.BORDER_GATEWAY)?.resourceId;
        break;
      case HopKind.IDC: {
        const line = nearest(i, HopKind.PHYSICAL_CONNECTION) ?? nearest(i, HopKind.HOSTED_CONNECTION);
        if (line && byKey.has(`idc:${line.resourceId}`)) {
          key = `idc:${line.resourceId}`;
        } else if (hop.resourceId) {
          key = graph.nodes.find((n) => n.kind === "idc" && (n.prefixes ?? []).some((p) => overlaps(p, hop.resourceId)))?.key;
        }
        if (!key) {
          key = ghost("idc", `idc:${hop.resourceId || "unknown"}`, hop.resourceId ? `IDC ${hop.resourceId}` : "Unknown IDC",
            hop.resourceId || `source ${source}`, "No matching prefix");
        }
        break;
      }
      default:
        key = hop.resourceId;
    }
    if (!key || !byKey.has(key)) {
      key = ghost(hopColumn[hop.kind] ?? "vpc", key || hop.resourceId || `hop-${i}`, key || hop.resourceId || "Unknown", key || hop.resourceId || "");
    }
    hopNodes.push(key);
  });

  const collapse = (keys: string[]) => keys.filter((k, i) => i === 0 || keys[i - 1] !== k);
  const firstReturn = hops.findIndex(isReturnHop);
  const forward = collapse(hopNodes.slice(0, firstReturn < 0 ? hops.length : firstReturn));
  let back: string[] = [];
  if (firstReturn >= 0) {
    const reversed = [...forward].reverse();
    if (trace.reachable) {
      back = reversed;
    } else {
      const stop = reversed.indexOf(hopNodes[firstReturn]);
      back = stop < 0 ? [reversed[0], hopNodes[firstReturn]] : reversed.slice(0, stop + 1);
    }
  }
  const plan: TracePlan = { hopNodes, forward, back, ghosts };
  if (!trace.reachable && trace.failure) {
    const i = Math.min(Math.max(trace.failure.hopIndex, 0), hops.length - 1);
    if (i >= 0) {
      plan.failNode = hopNodes[i];
      plan.failLabel = hops[i].kind === HopKind.IDC && !hops[i].resourceId
        ? `No IDC prefix contains ${source}`
        : `${reasonText[trace.failure.reason] ?? humanize(Reason[trace.failure.reason] ?? "")} at ${hopLabel(hops[i], byKey.get(hopNodes[i]))}`;
    }
  } else if (!trace.reachable) {
    plan.failLabel = "Unreachable";
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------------------------
// Drawing

const NODE_W = 168;
const NODE_H = 70;
const COL_GAP = 54;
const ROW_GAP = 46;
const PAD_X = 12;
const TOP = 46;

interface Box {
  x: number;
  y: number;
  col: number;
}

/**
 * Columns left to right; each column's nodes stacked and centred on the tallest column. Ghosts (what a trace names
 * that the lists do not hold) go under their column's last node, so that the picture does not move for them.
 */
function layout(nodes: TopoNode[], ghosts: TopoNode[] = []): { boxes: Map<string, Box>; width: number; height: number } {
  const perColumn = columns.map((kind) => nodes.filter((n) => n.kind === kind));
  const rows = Math.max(1, ...perColumn.map((c) => c.length));
  const full = rows * NODE_H + (rows - 1) * ROW_GAP;
  const boxes = new Map<string, Box>();
  let bottom = TOP + full;
  perColumn.forEach((list, col) => {
    const extra = ghosts.filter((g) => g.kind === columns[col]);
    const used = list.length * NODE_H + Math.max(0, list.length - 1) * ROW_GAP;
    const start = TOP + (full - used) / 2;
    [...list, ...extra].forEach((node, row) => {
      const y = list.length === 0 ? TOP + row * (NODE_H + ROW_GAP) : start + row * (NODE_H + ROW_GAP);
      boxes.set(node.key, { x: PAD_X + col * (NODE_W + COL_GAP), y, col });
      bottom = Math.max(bottom, y + NODE_H);
    });
  });
  return { boxes, width: PAD_X * 2 + columns.length * NODE_W + (columns.length - 1) * COL_GAP, height: bottom + ROW_GAP + 6 };
}

/** A curve from the side of `a` facing `b` to the side of `b` facing `a`, shifted by `dy`. */
function curve(a: Box, b: Box, dy = 0): string {
  const rightward = a.col <= b.col;
  const x1 = rightward ? a.x + NODE_W : a.x;
  const x2 = rightward ? b.x : b.x + NODE_W;
  const y1 = a.y + NODE_H / 2 + dy;
  const y2 = b.y + NODE_H / 2 + dy;
  if (a.col === b.col) {
    const x = a.x + NODE_W;
    return `M ${x} ${y1} C ${x + 30} ${y1}, ${x + 30} ${y2}, ${x} ${y2}`;
  }
  const bend = (x2 - x1) / 2;
  return `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`;
}

/** `text` cut to `max` characters, at a word's end when it can be (so that the name still holds the words shown). */
function fit(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  const cut = text.slice(0, max - 1);
  const end = Math.max(cut.lastIndexOf(" "), cut.lastIndexOf("-"), cut.lastIndexOf("_"), cut.lastIndexOf("."));
  return (end > max / 2 ? cut.slice(0, end) : cut) + "…";
}

const pillWidth = (text: string) => Math.round(text.length * 6.1 + 14);

function accessibleName(node: TopoNode, hops: number[], failLabel: string | undefined): string {
  const parts = [node.kind === "idc" ? node.name : `${kindName[node.kind]} ${node.name}`, ...node.states];
  if (node.kind === "idc") {
    parts.push(node.prefixes && node.prefixes.length > 0 ? `prefixes ${node.prefixes.join(", ")}` : node.sub);
  } else if (node.hidden) {
    parts.push("not visible to you");
  } else if (node.sub !== node.name) {
    parts.push(node.sub);
  }
  if (hops.length > 0) {
    parts.push(`on the traced path, hop ${hops.join(", ")}`);
  }
  if (failLabel) {
    parts.push(`trace stops here: ${failLabel}`);
  }
  return parts.join(", ");
}

/** The link's own content: its box and its name (what a speech user says to follow it). */
function NodeFace({ node, box }: { node: TopoNode; box: Box }) {
  const room = node.kind === "virtual-interface" && node.detail ? 14 : 21;
  return (
    <>
      <rect class="topo-box" x={box.x} y={box.y} width={NODE_W} height={NODE_H} rx={9} />
      <rect class="topo-strip" x={box.x} y={box.y} width={6} height={NODE_H} rx={3} />
      <text class="topo-name" x={box.x + 14} y={box.y + 19}>{fit(node.name, room)}</text>
      <title>{`${kindName[node.kind]} ${node.name}${node.sub && node.sub !== node.name ? ` (${node.sub})` : ""}: ${node.states.join(", ")}`}</title>
    </>
  );
}

/** What the node shows besides its name — id or prefixes, states, a fact, the trace's marks — all in its accessible name already. */
function NodeMarks({ node, box, hops, fail }: { node: TopoNode; box: Box; hops: number[]; fail: boolean }) {
  let x = box.x + 12;
  const pills = node.states.map((s) => {
    const w = pillWidth(s);
    const pill = (
      <g key={s} class={`topo-pill tone-${toneOf(s)}`}>
        <rect x={x} y={box.y + 44} width={w} height={17} rx={8.5} />
        <text x={x + w / 2} y={box.y + 56.5} text-anchor="middle">{s}</text>
      </g>
    );
    x += w + 5;
    return pill;
  });
  const detailOnTop = node.kind === "virtual-interface";
  const detailRoom = box.x + NODE_W - 10 - x;
  const badge = hopBadgeWidth(hops);
  return (
    <g class="topo-marks" aria-hidden="true">
      <text class={node.kind === "idc" ? "topo-sub topo-prefixes" : "topo-sub"} x={box.x + 14} y={box.y + 35}>{fit(node.sub, 24)}</text>
      {pills}
      {node.detail && (detailOnTop || detailRoom > node.detail.length * 5.6) ? (
        <text class="topo-detail" x={box.x + NODE_W - 10} y={box.y + (detailOnTop ? 19 : 56.5)} text-anchor="end">{node.detail}</text>
      ) : null}
      {hops.length > 0 ? (
        <g class="topo-hop-badge">
          <rect x={box.x + NODE_W - 8 - badge} y={box.y - 9} width={badge} height={18} rx={9} />
          <text x={box.x + NODE_W - 8 - badge / 2} y={box.y + 4} text-anchor="middle">{hopsText(hops)}</text>
        </g>
      ) : null}
      {fail ? (
        <g class="topo-fail-mark">
          <circle cx={box.x + 2} cy={box.y + 2} r={10} />
          <text x={box.x + 2} y={box.y + 6.5} text-anchor="middle">!</text>
        </g>
      ) : null}
    </g>
  );
}

/** "1–2, 8" for the hop numbers of a node. */
function hopsText(hops: number[]): string {
  const parts: string[] = [];
  let start = hops[0];
  let prev = hops[0];
  for (const h of [...hops.slice(1), NaN]) {
    if (h === prev + 1) {
      prev = h;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}–${prev}`);
    start = h;
    prev = h;
  }
  return parts.join(", ");
}

const hopBadgeWidth = (hops: number[]) => Math.max(20, hopsText(hops).length * 6.6 + 12);

function TopologyPicture({ graph, trace, plan, title, foreign }: {
  graph: Graph;
  trace: ReachabilityTrace | null;
  plan: TracePlan | null;
  title: string;
  /** An operator looking at another account: its interfaces and gateways are not visible. */
  foreign: boolean;
}) {
  const { route } = useLocation();
  const scroller = useRef<HTMLDivElement>(null);
  const nodes = plan ? [...graph.nodes, ...plan.ghosts] : graph.nodes;
  const { boxes, width, height } = layout(graph.nodes, plan?.ghosts);
  const hopsOf = new Map<string, number[]>();
  plan?.hopNodes.forEach((key, i) => hopsOf.set(key, [...(hopsOf.get(key) ?? []), i + 1]));
  const onForward = new Set(plan?.forward ?? []);
  const onBack = new Set(plan?.back ?? []);
  const segments = (keys: string[], dy: number, cls: string) =>
    keys.slice(1).map((k, i) => {
      const a = boxes.get(keys[i]);
      const b = boxes.get(k);
      return a && b ? <path key={`${cls}-${i}`} class={cls} d={curve(a, b, dy)} data-from={keys[i]} data-to={k} /> : null;
    });
  const failBox = plan?.failNode ? boxes.get(plan.failNode) : undefined;
  const colX = (i: number) => PAD_X + i * (NODE_W + COL_GAP);
  // On a narrow screen the picture scrolls: bring where the trace stops (or ends) into view.
  const focusKey = plan ? plan.failNode ?? plan.forward[plan.forward.length - 1] : undefined;
  useEffect(() => {
    const el = scroller.current;
    const box = focusKey ? boxes.get(focusKey) : undefined;
    if (!el || !box || el.scrollWidth <= el.clientWidth) {
      return;
    }
    const scale = el.scrollWidth / width;
    el.scrollTo({ left: Math.max(0, (box.x + NODE_W / 2) * scale - el.clientWidth / 2), behavior: "smooth" });
  }, [focusKey, trace]);
  const follow = (href: string) => (e: MouseEvent) => {
    if (e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      route(href);
    }
  };
  return (
    <div class="topo-scroll" ref={scroller}>
      <svg
        class="topo-svg"
        role="group"
        aria-label={title}
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        style={{ minWidth: `${Math.round(width * 0.82)}px`, maxWidth: `${width}px` }}
        data-trace={trace ? (trace.reachable ? "reachable" : "unreachable") : undefined}
      >
        <title>{title}</title>
        <defs>
          <marker id="topo-arrow-forward" viewBox="0 0 10 10" refX="7" refY="5" markerUnits="userSpaceOnUse" markerWidth="13" markerHeight="13" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="topo-arrow-forward" />
          </marker>
          <marker id="topo-arrow-back" viewBox="0 0 10 10" refX="7" refY="5" markerUnits="userSpaceOnUse" markerWidth="13" markerHeight="13" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="topo-arrow-back" />
          </marker>
        </defs>
        <g aria-hidden="true" class="topo-bands">
          <rect class="topo-band-customer" x={2} y={4} width={NODE_W + 2 * PAD_X - 4 + COL_GAP / 2 - PAD_X} height={height - 8} rx={10} />
          <rect class="topo-band-cloud" x={colX(2) - COL_GAP / 2 + 2} y={4} width={width - colX(2) + COL_GAP / 2 - 6} height={height - 8} rx={10} />
          {columns.map((kind, i) => (
            <text key={kind} class="topo-column-title" x={colX(i) + NODE_W / 2} y={26} text-anchor="middle">
              {columnTitle[kind]} ({nodes.filter((n) => n.kind === kind).length})
            </text>
          ))}
          <text class="topo-band-label" x={width - 10} y={height - 10} text-anchor="end">Cloud · {region()}</text>
          {columns.map((kind, i) =>
            nodes.some((n) => n.kind === kind) ? null : (
              <text key={`none-${kind}`} class="topo-column-empty" x={colX(i) + NODE_W / 2} y={TOP + 30} text-anchor="middle">
                {foreign && (kind === "virtual-interface" || kind === "border-gateway") ? "Not visible to you" : "None"}
              </text>
            ))}
        </g>
        <g aria-hidden="true" class="topo-edges">
          {graph.edges.map((e) => {
            const a = boxes.get(e.from);
            const b = boxes.get(e.to);
            if (!a || !b) {
              return null;
            }
            const refused = e.kind === "attachment" && e.state !== "Attached";
            const mx = (a.x + NODE_W + b.x) / 2;
            const my = (a.y + b.y) / 2 + NODE_H / 2;
            const label = refused ? e.state : "";
            return (
              <g key={`${e.from}-${e.to}`} class={`topo-edge topo-edge-${e.kind}${refused ? " topo-edge-refused" : ""}`} data-from={e.from} data-to={e.to} data-state={e.state}>
                <path d={curve(a, b)}>
                  <title>{e.kind === "attachment" ? `${e.from} → ${e.to}: ${e.state}${e.label ? ` (${e.label})` : ""}` : `${e.from} — ${e.to}`}</title>
                </path>
                {label ? (
                  <g class="topo-edge-label">
                    <rect x={mx - (label.length * 5.6 + 10) / 2} y={my - 8} width={label.length * 5.6 + 10} height={15} rx={4} />
                    <text x={mx} y={my + 3.5} text-anchor="middle">{label}</text>
                  </g>
                ) : null}
              </g>
            );
          })}
        </g>
        {plan ? (
          <g aria-hidden="true" class="topo-trace">
            {segments(plan.forward, plan.back.length > 1 ? -6 : 0, "topo-path-forward")}
            {segments(plan.back, 6, "topo-path-back")}
          </g>
        ) : null}
        <g class="topo-nodes">
          {nodes.map((node) => {
            const box = boxes.get(node.key)!;
            const hops = hopsOf.get(node.key) ?? [];
            const fail = plan?.failNode === node.key;
            const onPath = onForward.has(node.key) || onBack.has(node.key);
            const cls = `topo-node-wrap tone-${nodeTone(node)}${onPath ? " topo-on-path" : ""}${fail ? " topo-failed" : ""}${node.ghost || node.hidden ? " topo-ghost" : ""}`;
            const common = {
              class: "topo-node",
              "data-node-id": node.key,
              "data-kind": node.kind,
              "data-state": node.states[0],
              "data-bgp-status": node.kind === "virtual-interface" && node.states[1] ? node.states[1].replace(/^BGP /, "") : undefined,
              "data-trace-hop": hops.length > 0 ? hops.join(" ") : undefined,
              "data-trace-failed": fail ? "true" : undefined,
              "aria-label": accessibleName(node, hops, fail ? plan?.failLabel : undefined),
            };
            return (
              <g key={node.key} class={cls}>
                {node.href ? (
                  <a href={node.href} onClick={follow(node.href)} {...common}><NodeFace node={node} box={box} /></a>
                ) : (
                  <g role="img" {...common}><NodeFace node={node} box={box} /></g>
                )}
                <NodeMarks node={node} box={box} hops={hops} fail={fail} />
              </g>
            );
          })}
        </g>
        {failBox && plan?.failLabel ? <FailCallout box={failBox} label={plan.failLabel} node={plan.failNode!} width={width} /> : null}
      </svg>
    </div>
  );
}

/** The failing hop's reason, named under its node: one line, or two ("No return route" / "at bgw-1 route table"). */
function FailCallout({ box, label, node, width }: { box: Box; label: string; node: string; width: number }) {
  const at = label.indexOf(" at ");
  const lines = label.length <= 27 ? [label] : at > 0 ? [label.slice(0, at), label.slice(at + 1)] : wrap(label, 27);
  const w = Math.max(...lines.map((l) => l.length)) * 6.6 + 30;
  const x = Math.max(4, Math.min(box.x, width - w - 4));
  const y = box.y + NODE_H + 6;
  return (
    <g class="topo-fail-callout" data-trace-failure={node}>
      <rect x={x} y={y} width={w} height={lines.length * 15 + 8} rx={8} />
      {lines.map((line, i) => (
        <text key={i} x={x + 10} y={y + 15 + i * 15}>{i === 0 ? `✕ ${line}` : line}</text>
      ))}
    </g>
  );
}

/** Words into lines of at most about `max` characters. */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= max) {
      lines[lines.length - 1] = `${last} ${word}`;
    } else {
      lines.push(word);
    }
  }
  return lines;
}

function Legend({ traced }: { traced: boolean }) {
  const tones: [Tone, string][] = [["ok", "Available, attached, BGP up"], ["wait", "In progress"], ["bad", "Down, refused, rejected"], ["off", "Unknown or not visible"]];
  return (
    <ul class="topo-legend" aria-label="Legend">
      {tones.map(([tone, text]) => (
        <li key={tone}><span class={`topo-swatch tone-${tone}`} aria-hidden="true" />{text}</li>
      ))}
      {traced ? (
        <>
          <li><span class="topo-line-swatch topo-line-forward" aria-hidden="true" />Forward path</li>
          <li><span class="topo-line-swatch topo-line-back" aria-hidden="true" />Return path</li>
          <li><span class="topo-fail-swatch" aria-hidden="true">!</span>Where the trace stops</li>
        </>
      ) : null}
    </ul>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The trace form, its outcome and its hops as text

interface TraceQuery {
  sourceAddress: string;
  destinationAddress: string;
}

function prettyNote(note: string): string {
  return note.replace(/BGP BGP_STATUS_(\w+)/g, (_, s: string) => `BGP ${humanize(s)}`);
}

function RouteText({ route }: { route: Route }) {
  const local = route.origin === Route_Origin.LOCAL || !route.nextHop || route.nextHop.type === NextHopType.LOCAL;
  return (
    <span class="topo-route" data-route-id={route.id}>
      matched <code>{route.destination}</code> → {local ? "local" : <>{enumText(NextHopType, route.nextHop!.type).toLowerCase()} <IdLink id={route.nextHop!.id} /></>}
      {route.state === Route_State.BLACKHOLE ? <> <StatusBadge text="Blackhole" /></> : null}
    </span>
  );
}

function TraceHops({ trace, plan, graph }: { trace: ReachabilityTrace; plan: TracePlan; graph: Graph }) {
  const byKey = new Map([...graph.nodes, ...plan.ghosts].map((n) => [n.key, n]));
  const failAt = trace.failure && !trace.reachable ? trace.failure.hopIndex : -1;
  return (
    <ol class="topo-hops" aria-label="Hops of the trace">
      {trace.hops.map((hop, i) => {
        const node = byKey.get(plan.hopNodes[i]);
        const link = hop.kind === HopKind.VPC_ROUTE_TABLE || hop.kind === HopKind.BORDER_GATEWAY_ROUTE_TABLE || hop.kind === HopKind.IDC ? node?.href : hrefOf(hop.resourceId);
        const back = isReturnHop(hop);
        return (
          <li
            key={i}
            class={`${back ? "topo-hop-back" : "topo-hop-forward"}${i === failAt ? " topo-hop-failed" : ""}`}
            data-hop-index={i}
            data-hop-kind={hopKindAttribute[hop.kind]}
            data-resource-id={hop.resourceId}
            data-failed={i === failAt ? "true" : undefined}
          >
            <span class="topo-hop-kind">{back ? "Return path · " : ""}{hopKindText[hop.kind] ?? "Hop"}</span>{" "}
            {link ? <a href={link}>{hopLabel(hop, node)}</a> : <span>{hopLabel(hop, node)}</span>}{" "}
            {hop.resourceId && !hopLabel(hop, node).includes(hop.resourceId) ? <span class="id">{hop.resourceId}</span> : null}
            {hop.note ? <span class="topo-hop-note"> — {prettyNote(hop.note)}</span> : null}
            {hop.matchedRoute ? <> · <RouteText route={hop.matchedRoute} /></> : null}
            {i === failAt ? (
              <p class="topo-hop-failure" data-reason={Reason[trace.failure!.reason]}>
                <strong>Stops here: {plan.failLabel}.</strong> {trace.failure!.message}
              </p>
            ) : null}
          </li>
        );
      })}
      {trace.reachable ? <li class="topo-hop-arrived" data-arrived="true">Arrived, and a route back exists.</li> : null}
    </ol>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The table (the picture's text twin)

function TopologyTable({ graph, plan }: { graph: Graph; plan: TracePlan | null }) {
  const byKey = new Map(graph.nodes.map((n) => [n.key, n]));
  const hopsOf = new Map<string, number[]>();
  plan?.hopNodes.forEach((key, i) => hopsOf.set(key, [...(hopsOf.get(key) ?? []), i + 1]));
  const neighbours = (key: string) =>
    graph.edges
      .filter((e) => e.from === key || e.to === key)
      .map((e) => ({ other: e.from === key ? e.to : e.from, edge: e }));
  const nameOf = (key: string) => {
    const n = byKey.get(key);
    return n ? (n.kind === "idc" ? n.name : `${kindName[n.kind]} ${n.name}`) : key;
  };
  if (graph.nodes.length === 0) {
    return <p class="empty">Nothing to show yet: no physical connections, virtual interfaces, border gateways or VPCs in this region.</p>;
  }
  return (
    <div class="table-wrap">
      <table class="topo-table">
        <caption>Topology as a table</caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Name</th>
            <th scope="col">ID or prefixes</th>
            <th scope="col">State</th>
            <th scope="col">Connected to</th>
            {plan ? <th scope="col">Trace</th> : null}
          </tr>
        </thead>
        <tbody>
          {columns.flatMap((kind) => graph.nodes.filter((n) => n.kind === kind)).map((n) => {
            const hops = hopsOf.get(n.key) ?? [];
            return (
              <tr key={n.key} data-node-id={n.key} data-kind={n.kind} data-trace-hop={hops.length > 0 ? hops.join(" ") : undefined}>
                <td data-label="Kind">{kindName[n.kind]}</td>
                <td data-label="Name">{n.href ? <a href={n.href}>{n.name}</a> : n.name}</td>
                <td data-label="ID or prefixes"><span class={n.kind === "idc" ? "" : "id"}>{n.sub}</span>{n.fullDetail ?? n.detail ? <span class="topo-cell-detail"> · {n.fullDetail ?? n.detail}</span> : null}</td>
                <td data-label="State">
                  <span class="topo-badges">{n.states.map((s) => <span key={s} class={`badge badge-${toneOf(s)}`} data-state={s}>{s}</span>)}</span>
                </td>
                <td data-label="Connected to">
                  {neighbours(n.key).length === 0 ? "—" : (
                    <ul class="topo-cell-list">
                      {neighbours(n.key).map(({ other, edge }) => (
                        <li key={other}>
                          {nameOf(other)}
                          {edge.kind === "vlan" && edge.label ? ` (${edge.label})` : ""}
                          {edge.kind === "attachment" ? <> <StatusBadge text={edge.state ?? ""} />{edge.label ? ` ${edge.label}` : ""}</> : null}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                {plan ? (
                  <td data-label="Trace">
                    {hops.length === 0 ? "—" : `Hop ${hopsText(hops)}`}
                    {plan.failNode === n.key ? <strong class="topo-cell-fail"> · stops here: {plan.failLabel}</strong> : null}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The page

export function Topology() {
  const operator = isOperator();
  const me = currentSession()?.account ?? "";
  const inventory = useLive(loadInventory, [], ["physicalConnection", "virtualInterface", "borderGateway", "vpc"]);
  const accounts = useMemo(() => {
    const d = inventory.data;
    if (!d) {
      return [];
    }
    return [...new Set([...d.lines, ...d.interfaces, ...d.gateways, ...d.vpcs].map((r) => r.accountId))].sort();
  }, [inventory.data]);
  const [chosen, setChosen] = useState("");
  const account = operator ? (accounts.includes(chosen) ? chosen : accounts[0] ?? me) : me;
  const graph = useMemo(() => (inventory.data ? buildGraph(inventory.data, account) : null), [inventory.data, account]);

  const form = useForm({ sourceAddress: "", destinationAddress: "" });
  const [result, setResult] = useState<{ trace: ReachabilityTrace; query: TraceQuery; at: Date } | null>(null);
  const { run, problem, busy } = useAction((q: TraceQuery) => api.reachability.traceReachability({ region: region(), ...q }));
  const traceable = !operator || account === me;

  // The trace follows the picture: when a state changes (a session comes up, a route goes), it is traced again.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = inventory.data === null;
      return;
    }
    if (result && traceable) {
      const query = result.query;
      api.reachability.traceReachability({ region: region(), ...query }).then(
        (trace) => setResult({ trace, query, at: new Date() }),
        () => undefined,
      );
    }
  }, [inventory.data]);

  const plan = useMemo(
    () => (graph && result && traceable ? planTrace(graph, result.trace, result.query.sourceAddress) : null),
    [graph, result, traceable],
  );
  const trace = plan ? result!.trace : null;
  const shown = ["source_address", "destination_address"];

  return (
    <Page title="Topology and trace">
      <p class="topo-intro">
        How {operator ? "an account's" : "your"} data centres reach {operator ? "its" : "your"} VPCs in {region()}: each physical connection, the virtual
        interfaces over it, the border gateways they attach to and the VPCs behind them. A trace follows one address pair through the route tables.
      </p>
      <div class="card topo-controls">
        {operator ? (
          <div class="topo-account">
            <Field label="Account" name="account_id" problem={null} hint="Operators see every account's lines and VPCs.">
              {(p) => (
                <select
                  {...p}
                  value={account}
                  onChange={(e) => {
                    setChosen((e.target as HTMLSelectElement).value);
                    setResult(null);
                  }}
                >
                  {(accounts.length > 0 ? accounts : [me]).map((a) => <option key={a} value={a}>{a}</option>)}
                </select>
              )}
            </Field>
          </div>
        ) : null}
        {traceable ? (
          <form
            class="topo-trace-form"
            aria-label="Reachability trace"
            noValidate
            onSubmit={submitted(() => run(form.values), (trace) => setResult({ trace, query: form.values, at: new Date() }))}
          >
            <Field label="Source address" name="source_address" problem={problem} hint="In a VPC or an IDC prefix, e.g. 10.0.1.5">
              {(p) => <input {...p} inputMode="decimal" autoComplete="off" spellcheck={false} {...form.bind("sourceAddress")} />}
            </Field>
            <Field label="Destination address" name="destination_address" problem={problem} hint="e.g. 192.168.0.10">
              {(p) => <input {...p} inputMode="decimal" autoComplete="off" spellcheck={false} {...form.bind("destinationAddress")} />}
            </Field>
            <div class="topo-trace-buttons">
              <button type="submit" disabled={busy}>Trace</button>
              {result ? <button type="button" class="secondary" onClick={() => setResult(null)}>Clear trace</button> : null}
            </div>
          </form>
        ) : (
          <p class="topo-note">
            A trace runs over the signed-in account's own resources ({me}); sign in as {account} to trace its paths. Operators see every account's
            physical connections and VPCs, but virtual interfaces and border gateways only of their own account: the others are named from the
            lines and shown as not visible.
          </p>
        )}
      </div>
      <ErrorBox problem={problem} shownFields={shown} />
      <div aria-live="polite">
        {trace && plan ? (
          <div class={`topo-outcome ${trace.reachable ? "topo-outcome-ok" : "topo-outcome-bad"}`} data-trace={trace.reachable ? "reachable" : "unreachable"} data-reason={trace.failure ? Reason[trace.failure.reason] : undefined}>
            <p>
              <strong>{trace.reachable ? "Reachable" : "Unreachable"}</strong>
              {": "}
              <code>{result!.query.sourceAddress}</code> → <code>{result!.query.destinationAddress}</code>
              {trace.reachable ? ", and back." : <> — <strong class="topo-outcome-label">{plan.failLabel}</strong></>}
            </p>
            {trace.failure && !trace.reachable ? <p class="topo-outcome-message">{trace.failure.message}</p> : null}
            <p class="topo-outcome-time">Traced at {result!.at.toLocaleTimeString()}; traced again when a state in the picture changes.</p>
          </div>
        ) : null}
      </div>
      <ErrorBox problem={inventory.problem} />
      {graph === null ? <Loading what="the topology" /> : (
        <>
          <div class="card topo-card">
            {graph.nodes.length === 0 && !plan ? (
              <p class="empty">Nothing to draw yet: {operator ? `${account} has` : "you have"} no physical connections, virtual interfaces, border gateways or VPCs in {region()}.</p>
            ) : (
              <>
                <TopologyPicture graph={graph} trace={trace} plan={plan} foreign={!traceable} title={`Topology of ${account} in ${region()}${trace ? (trace.reachable ? ", with a reachable trace" : `, with a trace that stops: ${plan?.failLabel}`) : ""}`} />
                <Legend traced={plan !== null} />
              </>
            )}
          </div>
          {trace && plan ? (
            <>
              <h2>Trace hops</h2>
              <TraceHops trace={trace} plan={plan} graph={graph} />
            </>
          ) : null}
          <h2>Resources</h2>
          <TopologyTable graph={graph} plan={plan} />
        </>
      )}
    </Page>
  );
}
