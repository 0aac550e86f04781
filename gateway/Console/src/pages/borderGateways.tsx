// Border gateways: the list, the create form, and the detail page with the gateway's VPC attachments, the
// virtual interfaces using it and its route table (routes to attached VPCs and to its own virtual interfaces).
// Also the route table that the VPC page shares, and small helpers of the network pages.
import {
  type BorderGateway,
  BorderGateway_State as State,
  BorderGateway_VpcAttachment_State as AttachmentState,
  NextHopType,
  type Route,
  Route_Origin as Origin,
  Route_State as RouteState,
  VirtualInterface_BgpStatus as BgpStatus,
  VirtualInterface_State as VifState,
} from "@directconnect/sdk";
import { useLocation, useRoute } from "preact-iso";
import { api, region, requestId } from "../api";
import { ApiForm, useForm, useFormRequest } from "../forms";
import { isOperator } from "../session";
import { ConfirmAction, ErrorBox, Facts, Field, IdLink, type Loaded, LiveTable, LoadingPage, Page, StatusBadge, Table, enumText, formatTime, useLive } from "../ui";
import "./network.css";

// ---- helpers shared by the network pages (border gateways, VPCs, virtual interfaces) ----

/** `call`, re-reading the page's data when it fails (a stale etag, or something changed that the watch does not carry). */
export function reloadOnFailure<T>(call: () => Promise<T>, reload: () => void): () => Promise<T> {
  return async () => {
    try {
      return await call();
    } catch (error) {
      reload();
      throw error;
    }
  };
}

export const gatewayState = (g: BorderGateway) => enumText(State, g.state);
export const vifStateText = (state: VifState) => enumText(VifState, state);
export const bgpText = (status: BgpStatus) => (status === BgpStatus.UNSPECIFIED ? "Unknown" : enumText(BgpStatus, status));

const nextHopTypeText: Record<number, string> = {
  [NextHopType.BORDER_GATEWAY]: "Border gateway",
  [NextHopType.VPC]: "VPC",
  [NextHopType.VIRTUAL_INTERFACE]: "Virtual interface",
  [NextHopType.LOCAL]: "Local",
};

const nextHopNoun: Record<number, string> = {
  [NextHopType.BORDER_GATEWAY]: "border gateway",
  [NextHopType.VPC]: "VPC",
  [NextHopType.VIRTUAL_INTERFACE]: "virtual interface",
};

// ---- the route table of a VPC or a border gateway ----

export interface NextHopChoice {
  type: NextHopType;
  id: string;
  label: string;
}

function AddRouteForm({ types, choices, create, onDone }: {
  types: NextHopType[];
  choices: NextHopChoice[];
  create: (route: { destination: string; nextHop: { type: NextHopType; id: string } }, requestId: string) => Promise<Route>;
  onDone: () => void;
}) {
  // The next hop's type as the select holds it (text); a new type clears the chosen next hop.
  const form = useForm({ destination: "", type: String(types[0]), hop: "" });
  const { values, update } = form;
  const type = Number(values.type) as NextHopType;
  const request = useFormRequest(() => create({ destination: values.destination, nextHop: { type, id: values.hop } }, form.requestId));
  const offered = choices.filter((c) => c.type === type);
  const shown = ["route.destination", "route.next_hop.type", "route.next_hop.id"];
  return (
    <ApiForm
      class="card form route-form"
      aria-labelledby="add-route-title"
      request={request}
      shownFields={shown}
      onDone={() => {
        update({ destination: "", hop: "" }); // the type stays: the next route likely goes the same way
        onDone();
      }}
      intro={<h3 id="add-route-title">Add route</h3>}
      submit="Add route"
    >
      <div class="route-fields">
        <Field label="Destination" name="route.destination" hint="An IPv4 CIDR block, e.g. 192.168.0.0/24.">
          {(p) => <input {...p} {...form.bind("destination")} />}
        </Field>
        {types.length > 1 ? (
          <Field label="Next hop type" name="route.next_hop.type">
            {(p) => (
              <select {...p} value={values.type} onChange={(e) => update({ type: (e.target as HTMLSelectElement).value, hop: "" })}>
                {types.map((t) => <option key={t} value={String(t)}>{nextHopTypeText[t]}</option>)}
              </select>
            )}
          </Field>
        ) : null}
        <Field
          label="Next hop"
          name="route.next_hop.id"
          hint={offered.length === 0 ? `No ${nextHopNoun[type]} to route to yet.` : undefined}
        >
          {(p) => (
            <select {...p} value={values.hop} onChange={form.set("hop")}>
              <option value="">Choose a {nextHopNoun[type]}</option>
              {offered.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
            </select>
          )}
        </Field>
      </div>
    </ApiForm>
  );
}

/** A route table: its routes (destination, next hop, origin, state), deleting static ones, and adding one. */
export function RouteTable({ routes, names, types, choices, create, remove, canChange = true }: {
  routes: Loaded<Route[]>;
  names: Record<string, string>;
  types: NextHopType[];
  choices: NextHopChoice[];
  create: (route: { destination: string; nextHop: { type: NextHopType; id: string } }, requestId: string) => Promise<Route>;
  remove: (route: Route) => Promise<Route>;
  canChange?: boolean;
}) {
  return (
    <section aria-labelledby="route-table-title">
      <h2 id="route-table-title">Route table</h2>
      <LiveTable
        caption="Routes"
        loaded={routes}
        what="the routes"
        rowKey={(r) => r.id}
        empty="No routes yet."
        columns={[
          { header: "Destination", cell: (r) => <span class="id">{r.destination}</span> },
          {
            header: "Next hop",
            cell: (r) => (
              <span class="next-hop">
                <span>{nextHopTypeText[r.nextHop?.type ?? 0] ?? "—"}</span>{" "}
                {r.nextHop?.id ? <IdLink id={r.nextHop.id} /> : null}
                {r.nextHop?.id && names[r.nextHop.id] ? <span class="muted"> ({names[r.nextHop.id]})</span> : null}
              </span>
            ),
          },
          { header: "Origin", cell: (r) => enumText(Origin, r.origin) },
          { header: "State", cell: (r) => <StatusBadge text={enumText(RouteState, r.state)} label="State" /> },
          ...(canChange
            ? [{
              header: "Actions",
              cell: (r: Route) =>
                r.origin === Origin.STATIC ? (
                  <ConfirmAction label="Delete route" what={r.destination} action={reloadOnFailure(() => remove(r), routes.reload)} onDone={routes.reload} />
                ) : <span class="muted">Not deletable</span>,
            }]
            : []),
        ]}
      />
      {canChange ? <AddRouteForm types={types} choices={choices} create={create} onDone={routes.reload} /> : null}
    </section>
  );
}

// ---- pages ----

export function BorderGatewayList() {
  const operator = isOperator();
  const gateways = useLive(
    async () => (await api.borderGateways.listBorderGateways({ region: region(), pageSize: 100 })).borderGateways,
    [],
    ["borderGateway"],
  );
  return (
    <Page title="Border Gateways" actions={operator ? null : <a class="button" href="/console/border-gateways/new">Create border gateway</a>}>
      <LiveTable
        caption="Border gateways"
        loaded={gateways}
        what="border gateways"
        rowKey={(g) => g.id}
        empty="No border gateways in this region yet."
        columns={[
          { header: "Name", cell: (g) => <a href={`/console/border-gateways/${g.id}`}>{g.name}</a> },
          { header: "ID", cell: (g) => <span class="id">{g.id}</span> },
          ...(operator ? [{ header: "Account", cell: (g: BorderGateway) => g.accountId }] : []),
          { header: "ASN", cell: (g) => String(g.asn) },
          { header: "Router", cell: (g) => (g.routerId ? <span class="id">{g.routerId}</span> : "None") },
          { header: "Status", cell: (g) => <StatusBadge text={gatewayState(g)} label="Status" /> },
          { header: "Created", cell: (g) => formatTime(g.createTime) },
        ]}
      />
    </Page>
  );
}

export function BorderGatewayCreate() {
  const { route } = useLocation();
  const form = useForm({ name: "", description: "", asn: "" });
  const { values, bind } = form;
  const request = useFormRequest((numbers) =>
    api.borderGateways.createBorderGateway({
      region: region(),
      requestId: form.requestId,
      borderGateway: { name: values.name, description: values.description, asn: numbers.int64("border_gateway.asn", values.asn) },
    }),
  );
  const shown = ["border_gateway.name", "border_gateway.description", "border_gateway.asn"];
  return (
    <Page title="Create border gateway">
      <ApiForm
        class="card form"
        request={request}
        shownFields={shown}
        onDone={(created) => route(`/console/border-gateways/${created.id}`)}
        intro={
          <p class="hint form-intro">
            A border gateway joins your VPCs in this region to your private virtual interfaces. It attaches by itself to
            every VPC of your account in the region, including VPCs registered later.
          </p>
        }
        submit="Create"
        cancel="/console/border-gateways"
      >
        <Field label="Name" name="border_gateway.name">
          {(p) => <input {...p} {...bind("name")} />}
        </Field>
        <Field label="Description" name="border_gateway.description">
          {(p) => <input {...p} {...bind("description")} />}
        </Field>
        <Field
          label="ASN (optional)"
          name="border_gateway.asn"
          hint="The cloud side's BGP autonomous system number; empty means 64512. A private ASN (64512–65534 or 4200000000–4294967294) is recommended. It cannot be changed later."
        >
          {(p) => <input {...p} inputMode="numeric" {...bind("asn")} />}
        </Field>
      </ApiForm>
    </Page>
  );
}

export function BorderGatewayDetail() {
  const { params } = useRoute();
  const { route } = useLocation();
  const id = params.id;
  const operator = isOperator();
  // A virtual interface created or deleted on the gateway changes its virtual_interface_ids too.
  const gateway = useLive(() => api.borderGateways.getBorderGateway({ region: region(), id }), [id], ["borderGateway", "virtualInterface"]);
  const vifs = useLive(
    // Deleted ones too: an interface just deleted holds its reservation a moment longer.
    async () => (await api.virtualInterfaces.listVirtualInterfaces({ region: region(), pageSize: 100, showDeleted: true })).virtualInterfaces,
    [],
    ["virtualInterface"],
  );
  const vpcs = useLive(async () => (await api.vpcs.listVpcs({ region: region(), pageSize: 100 })).vpcs, [], ["vpc"]);
  const routes = useLive(
    async () => (await api.routes.listBorderGatewayRoutes({ region: region(), borderGatewayId: id, pageSize: 100 })).routes,
    [id],
    ["route", "borderGateway", "virtualInterface", "vpc"],
  );
  if (gateway.data === null) {
    return <LoadingPage id={id} loaded={gateway} what="the border gateway" />;
  }
  const g = gateway.data;
  const names: Record<string, string> = {};
  (vifs.data ?? []).forEach((v) => (names[v.id] = v.name));
  (vpcs.data ?? []).forEach((v) => (names[v.id] = v.name));
  const usedBy = g.virtualInterfaceIds.map((v) => ({ id: v, vif: (vifs.data ?? []).find((x) => x.id === v) }));
  const choices: NextHopChoice[] = [
    ...usedBy.filter((u) => u.vif?.state !== VifState.DELETED).map((u) => ({ type: NextHopType.VIRTUAL_INTERFACE, id: u.id, label: u.vif ? `${u.vif.name} (${u.id})` : u.id })),
    ...g.vpcAttachments
      .filter((a) => a.state === AttachmentState.ATTACHED)
      .map((a) => ({ type: NextHopType.VPC, id: a.vpcId, label: names[a.vpcId] ? `${names[a.vpcId]} (${a.vpcId})` : a.vpcId })),
  ];
  const live = g.state !== State.DELETED;
  return (
    <Page title={g.name}>
      <ErrorBox problem={gateway.problem} />
      <Facts
        items={[
          ["ID", <span class="id">{g.id}</span>],
          ["Status", <StatusBadge text={gatewayState(g)} label="Status" />],
          ["Account", g.accountId],
          ["ASN", String(g.asn)],
          ["Router", g.routerId ? <span class="id">{g.routerId}</span> : "None (the region had no router when it was created)"],
          ["Route table", <span class="id">{g.routeTableId}</span>],
          ["Description", g.description || "—"],
          ["Created", formatTime(g.createTime)],
          ["Updated", formatTime(g.updateTime)],
        ]}
      />
      {live ? (
        <div class="actions" aria-label="Actions">
          {operator ? null : (
            <a class="button secondary" href={`/console/virtual-interfaces/new?borderGatewayId=${encodeURIComponent(g.id)}`}>
              Create virtual interface
            </a>
          )}
          <ConfirmAction
            label="Delete"
            what={g.name}
            action={reloadOnFailure(
              // Unconditional (no etag): releasing a deleted interface's reservation changes the gateway a moment
              // later without a change on the watch, so the etag read here is often stale; the server refuses the
              // delete anyway while an interface uses the gateway.
              () => api.borderGateways.deleteBorderGateway({ region: region(), id: g.id, requestId: requestId() }),
              gateway.reload,
            )}
            onDone={() => route("/console/border-gateways")}
          />
        </div>
      ) : null}
      <h2>VPC attachments</h2>
      <Table
        caption="VPC attachments"
        rows={g.vpcAttachments}
        rowKey={(a) => a.vpcId}
        empty="No VPCs of the account in this region."
        columns={[
          { header: "VPC", cell: (a) => <a href={`/console/vpcs/${a.vpcId}`}>{names[a.vpcId] ?? a.vpcId}</a> },
          { header: "ID", cell: (a) => <span class="id">{a.vpcId}</span> },
          { header: "Attachment", cell: (a) => <StatusBadge text={enumText(AttachmentState, a.state)} label="Attachment" /> },
          { header: "Reason", cell: (a) => a.reason || "—" },
        ]}
      />
      <h2>Virtual interfaces</h2>
      <Table
        caption="Virtual interfaces using this gateway"
        rows={usedBy}
        rowKey={(u) => u.id}
        empty="No virtual interface uses this gateway."
        columns={[
          { header: "Name", cell: (u) => <a href={`/console/virtual-interfaces/${u.id}`}>{u.vif?.name ?? u.id}</a> },
          { header: "ID", cell: (u) => <span class="id">{u.id}</span> },
          { header: "VLAN", cell: (u) => (u.vif ? String(u.vif.vlan) : "—") },
          { header: "Status", cell: (u) => (u.vif ? <StatusBadge text={vifStateText(u.vif.state)} label="Status" /> : "—") },
          { header: "BGP", cell: (u) => (u.vif ? <StatusBadge text={bgpText(u.vif.bgpStatus)} label="BGP" /> : "—") },
        ]}
      />
      <RouteTable
        routes={routes}
        names={names}
        types={[NextHopType.VIRTUAL_INTERFACE, NextHopType.VPC]}
        choices={choices}
        canChange={live}
        create={(r, rid) => api.routes.createBorderGatewayRoute({ region: region(), borderGatewayId: g.id, route: r, requestId: rid })}
        remove={(r) => api.routes.deleteBorderGatewayRoute({ region: region(), borderGatewayId: g.id, routeId: r.id, etag: r.etag, requestId: requestId() })}
      />
    </Page>
  );
}
