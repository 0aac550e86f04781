// Private virtual interfaces: the list (state and BGP status, live), the guide's creation form (a VLAN on an
// available line, attached to a border gateway, with its BGP peering and IDC prefixes), and the detail page with
// the session's state, the configuration of the customer's router per vendor, and the routes exchanged over BGP.
import {
  BorderGateway_State as GatewayState,
  HostedConnection_State as HostedState,
  PhysicalConnection_State as LineState,
  RouterVendor,
  type VirtualInterface,
  VirtualInterface_State as State,
  VirtualInterfaceRoute_Direction as Direction,
} from "@directconnect/sdk";
import { useLocation, useRoute } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { api, region, requestId } from "../api";
import { ApiForm, splitList, useForm, useFormRequest } from "../forms";
import { isOperator } from "../session";
import { ConfirmAction, CopyButton, ErrorBox, Facts, Field, IdLink, LiveTable, Loading, LoadingPage, Page, StatusBadge, Table, enumText, formatTime, useLive } from "../ui";
import { bgpText, reloadOnFailure, vifStateText } from "./borderGateways";
import "./network.css";

export function VirtualInterfaceList() {
  const operator = isOperator();
  const vifs = useLive(
    async () => (await api.virtualInterfaces.listVirtualInterfaces({ region: region(), pageSize: 100 })).virtualInterfaces,
    [],
    ["virtualInterface"],
  );
  return (
    <Page
      title="Private Virtual Interfaces"
      actions={operator ? null : <a class="button" href="/console/virtual-interfaces/new">Create virtual interface</a>}
    >
      <LiveTable
        caption="Private virtual interfaces"
        loaded={vifs}
        what="virtual interfaces"
        rowKey={(v) => v.id}
        empty="No virtual interfaces in this region yet."
        columns={[
          { header: "Name", cell: (v) => <a href={`/console/virtual-interfaces/${v.id}`}>{v.name}</a> },
          { header: "ID", cell: (v) => <span class="id">{v.id}</span> },
          ...(operator ? [{ header: "Account", cell: (v: VirtualInterface) => v.accountId }] : []),
          { header: "VLAN", cell: (v) => String(v.vlan) },
          { header: "Connection", cell: (v) => <IdLink id={v.hostedConnectionId || v.physicalConnectionId} /> },
          { header: "Border gateway", cell: (v) => <IdLink id={v.borderGatewayId} /> },
          { header: "Status", cell: (v) => <StatusBadge text={vifStateText(v.state)} label="Status" /> },
          { header: "BGP", cell: (v) => <StatusBadge text={bgpText(v.bgpStatus)} label="BGP" /> },
        ]}
      />
    </Page>
  );
}

export function VirtualInterfaceCreate() {
  const { route, query } = useLocation();
  const lines = useLive(
    async () => (await api.physicalConnections.listPhysicalConnections({ region: region(), pageSize: 100, state: LineState.AVAILABLE })).physicalConnections,
    [],
    ["physicalConnection"],
  );
  const hosted = useLive(
    async () =>
      (await api.hostedConnections.listHostedConnections({ region: region(), pageSize: 100 })).hostedConnections.filter(
        (h) => h.state === HostedState.AVAILABLE && h.virtualInterfaceIds.length === 0,
      ),
    [],
    ["hostedConnection"],
  );
  const gateways = useLive(
    async () => (await api.borderGateways.listBorderGateways({ region: region(), pageSize: 100, state: GatewayState.AVAILABLE })).borderGateways,
    [],
    ["borderGateway"],
  );
  const form = useForm({
    name: "",
    description: "",
    // A line of the account's (dxpc-…), or a hosted connection it accepted (dxhc-…).
    connectionId: query.physicalConnectionId ?? query.hostedConnectionId ?? "",
    borderGatewayId: query.borderGatewayId ?? "",
    vlan: "",
    bandwidthMbps: "",
    customerAsn: "",
    cloudAddress: "",
    customerAddress: "",
    authKey: "",
    idcPrefixes: "",
  });
  const { values, bind, set } = form;
  const f = (name: string) => `virtual_interface.${name}`;
  const onHosted = values.connectionId.startsWith("dxhc-");
  const request = useFormRequest(
    (numbers) =>
      api.virtualInterfaces.createVirtualInterface({
        region: region(),
        requestId: form.requestId,
        virtualInterface: {
          name: values.name,
          description: values.description,
          physicalConnectionId: onHosted ? "" : values.connectionId,
          hostedConnectionId: onHosted ? values.connectionId : "",
          borderGatewayId: values.borderGatewayId,
          vlan: numbers.int32(f("vlan"), values.vlan),
          bandwidthMbps: numbers.int32(f("bandwidth_mbps"), values.bandwidthMbps),
          bgp: {
            customerAsn: numbers.int64(f("bgp.customer_asn"), values.customerAsn),
            cloudAddress: values.cloudAddress.trim(),
            customerAddress: values.customerAddress.trim(),
            authKey: values.authKey,
          },
          idcPrefixes: splitList(values.idcPrefixes),
        },
      }),
    [f("idc_prefixes")],
  );
  const shown = [
    "name", "description", "physical_connection_id", "hosted_connection_id", "border_gateway_id", "vlan", "bandwidth_mbps",
    "bgp.customer_asn", "bgp.cloud_address", "bgp.customer_address", "bgp.auth_key", "idc_prefixes",
  ].map(f);
  const chosenLine = (lines.data ?? []).find((l) => l.id === values.connectionId);
  const chosenHosted = (hosted.data ?? []).find((h) => h.id === values.connectionId);
  const chosenGateway = (gateways.data ?? []).find((g) => g.id === values.borderGatewayId);
  return (
    <Page title="Create virtual interface">
      <ApiForm
        class="card form"
        request={request}
        shownFields={shown}
        onDone={(created) => route(`/console/virtual-interfaces/${created.id}`)}
        intro={
          <p class="hint form-intro">
            A private virtual interface is a VLAN on your physical connection carrying one BGP session between your IDC
            router and a border gateway, which reaches the VPCs attached to it.
          </p>
        }
        submit="Create"
        cancel="/console/virtual-interfaces"
      >
        <Field label="Name" name={f("name")}>
          {(p) => <input {...p} {...bind("name")} />}
        </Field>
        <Field
          label="Connection"
          name={onHosted ? f("hosted_connection_id") : f("physical_connection_id")}
          hint={
            lines.data?.length === 0 && hosted.data?.length === 0
              ? "You have no available physical connection and no accepted hosted connection in this region."
              : "An available line of yours, or a hosted connection a partner provided and you accepted."
          }
        >
          {(p) => (
            <select {...p} value={values.connectionId} onChange={set("connectionId")}>
              <option value="">Choose a connection</option>
              <optgroup label="Physical connections">
                {(lines.data ?? []).map((l) => (
                  <option key={l.id} value={l.id}>{l.name} ({l.id}, {l.bandwidthMbps} Mbit/s)</option>
                ))}
              </optgroup>
              <optgroup label="Hosted connections">
                {(hosted.data ?? []).map((h) => (
                  <option key={h.id} value={h.id}>{h.partnerName} ({h.id}, VLAN {h.vlan}, {h.bandwidthMbps} Mbit/s)</option>
                ))}
              </optgroup>
            </select>
          )}
        </Field>
        <Field
          label="Border gateway"
          name={f("border_gateway_id")}
          hint={gateways.data && gateways.data.length === 0 ? "You have no available border gateway in this region." : undefined}
        >
          {(p) => (
            <select {...p} value={values.borderGatewayId} onChange={set("borderGatewayId")}>
              <option value="">Choose a border gateway</option>
              {(gateways.data ?? []).map((g) => (
                <option key={g.id} value={g.id}>{g.name} ({g.id}, ASN {String(g.asn)})</option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="VLAN"
          name={f("vlan")}
          hint={chosenHosted ? `The hosted connection's VLAN ${chosenHosted.vlan}: leave it empty.` : "802.1Q VLAN id, 1–4094, unique on the physical connection."}
        >
          {(p) => <input {...p} inputMode="numeric" {...bind("vlan")} />}
        </Field>
        <Field
          label="Bandwidth (Mbit/s)"
          name={f("bandwidth_mbps")}
          hint={
            chosenHosted
              ? `At most the hosted connection's ${chosenHosted.bandwidthMbps} Mbit/s.`
              : chosenLine
                ? `At most the line's ${chosenLine.bandwidthMbps} Mbit/s.`
                : "At most the connection's bandwidth."
          }
        >
          {(p) => <input {...p} inputMode="numeric" {...bind("bandwidthMbps")} />}
        </Field>
        <fieldset class="form-section">
          <legend>BGP peering</legend>
          <Field
            label="Customer ASN"
            name={f("bgp.customer_asn")}
              hint={`Your router's autonomous system number${chosenGateway ? `; the gateway's is ${String(chosenGateway.asn)}` : ""}.`}
          >
            {(p) => <input {...p} inputMode="numeric" {...bind("customerAsn")} />}
          </Field>
          <Field
            label="Cloud address"
            name={f("bgp.cloud_address")}
              hint="The border gateway's peer address with its prefix length, /30 or /31, e.g. 169.254.10.1/30."
          >
            {(p) => <input {...p} {...bind("cloudAddress")} />}
          </Field>
          <Field
            label="Customer address"
            name={f("bgp.customer_address")}
              hint="Your router's address in the same subnet, e.g. 169.254.10.2/30."
          >
            {(p) => <input {...p} {...bind("customerAddress")} />}
          </Field>
          <Field
            label="BGP MD5 key (optional)"
            name={f("bgp.auth_key")}
              hint="1–80 printable characters without spaces. Write-only: it is never shown again."
          >
            {(p) => <input {...p} type="password" autoComplete="new-password" {...bind("authKey")} />}
          </Field>
        </fieldset>
        <Field
          label="IDC prefixes"
          name={f("idc_prefixes")}
          hint="The prefixes your router announces, one per line, e.g. 192.168.8.0/24; none may overlap a VPC attached to the gateway."
        >
          {(p) => <textarea {...p} rows={3} {...bind("idcPrefixes")} />}
        </Field>
        <Field label="Description" name={f("description")}>
          {(p) => <input {...p} {...bind("description")} />}
        </Field>
      </ApiForm>
    </Page>
  );
}

const vendors: { vendor: RouterVendor; label: string; slug: string }[] = [
  { vendor: RouterVendor.FRR, label: "FRR", slug: "frr" },
  { vendor: RouterVendor.CISCO_IOS_XE, label: "Cisco IOS XE", slug: "cisco-ios-xe" },
  { vendor: RouterVendor.JUNIPER_JUNOS, label: "Juniper Junos", slug: "juniper-junos" },
  { vendor: RouterVendor.HUAWEI_VRP, label: "Huawei VRP", slug: "huawei-vrp" },
];

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function RouterConfiguration({ vif }: { vif: VirtualInterface }) {
  const [vendor, setVendor] = useState(RouterVendor.FRR);
  const [iface, setIface] = useState("");
  const [asked, setAsked] = useState("");
  useEffect(() => {
    const timer = window.setTimeout(() => setAsked(iface.trim()), 400);
    return () => window.clearTimeout(timer);
  }, [iface]);
  const config = useLive(
    () => api.virtualInterfaces.getRouterConfiguration({ region: region(), id: vif.id, vendor, interface: asked }),
    [vif.id, vendor, asked],
  );
  const slug = vendors.find((v) => v.vendor === vendor)?.slug ?? "router";
  return (
    <section aria-labelledby="router-config-title">
      <h2 id="router-config-title">Router configuration</h2>
      <p class="hint form-intro">
        The configuration of your IDC router for this interface: the VLAN sub-interface and the BGP session.
        {vif.bgp?.authKeySet ? " The MD5 key is not included: replace REPLACE-WITH-BGP-MD5-KEY with it." : ""}
      </p>
      <div class="config-controls">
        <Field label="Router vendor" name="vendor" problem={config.problem}>
          {(p) => (
            <select {...p} value={String(vendor)} onChange={(e) => setVendor(Number((e.target as HTMLSelectElement).value) as RouterVendor)}>
              {vendors.map((v) => <option key={v.vendor} value={String(v.vendor)}>{v.label}</option>)}
            </select>
          )}
        </Field>
        <Field
          label="Interface name (optional)"
          name="interface"
          problem={config.problem}
          hint="Your router's port facing the line, e.g. enp3s0f1 or xe-0/0/1; empty keeps a placeholder."
        >
          {(p) => <input {...p} value={iface} onInput={(e) => setIface((e.target as HTMLInputElement).value)} />}
        </Field>
      </div>
      <ErrorBox problem={config.problem} shownFields={["vendor", "interface"]} />
      {config.problem === null && config.data === null ? <Loading what="the configuration" /> : null}
      {config.data !== null && !config.problem ? (
        <>
          <div class="config-actions">
            <CopyButton text={config.data.content} label="Copy configuration" />
            <button type="button" class="secondary" onClick={() => download(`${vif.id}-${slug}.txt`, config.data!.content)}>
              Download configuration
            </button>
          </div>
          <pre class="config" tabIndex={0} aria-label={`Router configuration (${vendors.find((v) => v.vendor === vendor)?.label})`}>
            {config.data.content}
          </pre>
        </>
      ) : null}
    </section>
  );
}

export function VirtualInterfaceDetail() {
  const { params } = useRoute();
  const { route } = useLocation();
  const id = params.id;
  const vif = useLive(() => api.virtualInterfaces.getVirtualInterface({ region: region(), id }), [id], ["virtualInterface"]);
  const exchanged = useLive(
    () => api.virtualInterfaces.listVirtualInterfaceRoutes({ region: region(), id, pageSize: 100 }),
    [id],
    ["virtualInterface"],
  );
  if (vif.data === null) {
    return <LoadingPage id={id} loaded={vif} what="the virtual interface" />;
  }
  const v = vif.data;
  const report = exchanged.data;
  const live = v.state !== State.DELETED;
  return (
    <Page title={v.name}>
      <ErrorBox problem={vif.problem} />
      <Facts
        items={[
          ["ID", <span class="id">{v.id}</span>],
          ["Status", <StatusBadge text={vifStateText(v.state)} label="Status" />],
          ["BGP status", <StatusBadge text={bgpText(v.bgpStatus)} label="BGP status" />],
          ["Session state (router)", report?.bgpState || "Not reported yet"],
          ["Last BGP error", v.bgpLastError || "—"],
          ["Observed", formatTime(report?.observeTime)],
          ["Account", v.accountId],
          v.hostedConnectionId ? ["Hosted connection", <IdLink id={v.hostedConnectionId} />] : ["Physical connection", <IdLink id={v.physicalConnectionId} />],
          ["Border gateway", <IdLink id={v.borderGatewayId} />],
          ["VLAN", String(v.vlan)],
          ["Bandwidth", `${v.bandwidthMbps} Mbit/s`],
          ["Customer ASN", v.bgp ? String(v.bgp.customerAsn) : "—"],
          ["Cloud ASN", v.bgp ? String(v.bgp.cloudAsn) : "—"],
          ["Cloud address", <span class="id">{v.bgp?.cloudAddress ?? "—"}</span>],
          ["Customer address", <span class="id">{v.bgp?.customerAddress ?? "—"}</span>],
          ["MD5 key set", v.bgp?.authKeySet ? "Yes" : "No"],
          ["IDC prefixes", <ul class="cidr-list">{v.idcPrefixes.map((p) => <li key={p}>{p}</li>)}</ul>],
          ["Description", v.description || "—"],
          ["Created", formatTime(v.createTime)],
          ["Updated", formatTime(v.updateTime)],
        ]}
      />
      {live ? (
        <div class="actions" aria-label="Actions">
          <ConfirmAction
            label="Delete"
            what={v.name}
            action={reloadOnFailure(
              () => api.virtualInterfaces.deleteVirtualInterface({ region: region(), id: v.id, etag: v.etag, requestId: requestId() }),
              vif.reload,
            )}
            onDone={() => route("/console/virtual-interfaces")}
          />
        </div>
      ) : null}
      {live ? <RouterConfiguration vif={v} /> : null}
      <section aria-labelledby="bgp-routes-title">
        <h2 id="bgp-routes-title">Routes exchanged over BGP</h2>
        <ErrorBox problem={exchanged.problem} />
        {report === null ? (exchanged.problem ? null : <Loading what="the routes" />) : (
          <Table
            caption="Routes exchanged over BGP"
            rows={report.routes}
            rowKey={(r) => `${r.direction}-${r.prefix}`}
            empty={report.observeTime ? "No prefixes exchanged." : "No report from the border gateway's router yet."}
            columns={[
              { header: "Prefix", cell: (r) => <span class="id">{r.prefix}</span> },
              { header: "Direction", cell: (r) => enumText(Direction, r.direction) },
            ]}
          />
        )}
      </section>
    </Page>
  );
}
