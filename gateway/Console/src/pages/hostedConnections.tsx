// Hosted connections: a partner's share of one of its lines, held by a customer. The partner allocates them (a VLAN
// and a bandwidth on one of its available lines) and sees which account holds each; the customer sees them with the
// partner's name, accepts or declines, and runs a virtual interface over an accepted one. Operators register the
// partners of a region.
import {
  HostedConnection_State as State,
  type HostedConnection,
  type Partner,
  PhysicalConnection_State as LineState,
} from "@directconnect/sdk";
import type { ComponentChildren } from "preact";
import { useLocation, useRoute } from "preact-iso";
import { api, region, requestId } from "../api";
import { ApiForm, useForm, useFormRequest } from "../forms";
import { currentSession, isOperator, isPartner } from "../session";
import { ConfirmAction, ErrorBox, Facts, Field, IdLink, LiveTable, LoadingPage, Page, StatusBadge, enumText, formatTime, useLive } from "../ui";

/** The bandwidths a partner may allocate, Mbit/s (the API refuses any other). */
export const hostedSteps = [50, 100, 200, 300, 400, 500, 1000, 2000, 5000, 10000];

export const hostedState = (h: HostedConnection) => enumText(State, h.state);

export function HostedConnectionList() {
  const partner = isPartner();
  const hosted = useLive(
    async () => (await api.hostedConnections.listHostedConnections({ region: region(), pageSize: 100 })).hostedConnections,
    [],
    ["hostedConnection"],
  );
  return (
    <Page
      title="Hosted Connections"
      actions={partner ? <a class="button" href="/console/hosted-connections/new">Allocate hosted connection</a> : null}
    >
      <p class="note">
        {partner
          ? "The hosted connections you allocated on your lines, and the customer account that holds each."
          : "Connections a Direct Connect partner provides to your account on one of its lines. Accept one to create a virtual interface on it."}
      </p>
      <LiveTable
        caption="Hosted connections"
        loaded={hosted}
        what="hosted connections"
        rowKey={(h) => h.id}
        empty={partner ? "You have allocated no hosted connection in this region." : "No partner has provided a hosted connection to you in this region."}
        columns={[
          { header: "ID", cell: (h) => <a href={`/console/hosted-connections/${h.id}`} class="id">{h.id}</a> },
          ...(partner
            ? [
                { header: "Customer", cell: (h: HostedConnection) => h.accountId },
                { header: "Line", cell: (h: HostedConnection) => <IdLink id={h.physicalConnectionId} /> },
              ]
            : [{ header: "Partner", cell: (h: HostedConnection) => h.partnerName }]),
          { header: "VLAN", cell: (h) => String(h.vlan) },
          { header: "Bandwidth", cell: (h) => `${h.bandwidthMbps} Mbit/s` },
          { header: "Status", cell: (h) => <StatusBadge text={hostedState(h)} label="Status" /> },
          { header: "Allocated", cell: (h) => formatTime(h.createTime) },
        ]}
      />
    </Page>
  );
}

export function HostedConnectionAllocate() {
  const { route } = useLocation();
  const lines = useLive(
    async () =>
      (await api.physicalConnections.listPhysicalConnections({ region: region(), pageSize: 100, state: LineState.AVAILABLE })).physicalConnections,
    [],
    ["physicalConnection"],
  );
  const form = useForm({ physicalConnectionId: "", accountId: "", vlan: "", bandwidthMbps: "" });
  const { values, bind, set } = form;
  const f = (name: string) => `hosted_connection.${name}`;
  const request = useFormRequest((numbers) =>
    api.hostedConnections.allocateHostedConnection({
      region: region(),
      requestId: form.requestId,
      hostedConnection: {
        physicalConnectionId: values.physicalConnectionId,
        accountId: values.accountId.trim(),
        vlan: numbers.int32(f("vlan"), values.vlan),
        bandwidthMbps: numbers.int32(f("bandwidth_mbps"), values.bandwidthMbps),
      },
    }),
  );
  const shown = ["physical_connection_id", "account_id", "vlan", "bandwidth_mbps"].map(f);
  return (
    <Page title="Allocate hosted connection">
      <ApiForm
        class="card form"
        request={request}
        shownFields={shown}
        onDone={(created) => route(`/console/hosted-connections/${created.id}`)}
        intro={
          <p class="hint form-intro">
            Gives a customer account a share of one of your available lines: a VLAN of its own on the line and a bandwidth.
            The customer accepts or declines it.
          </p>
        }
        submit="Allocate"
        cancel="/console/hosted-connections"
      >
        <Field
          label="Line"
          name={f("physical_connection_id")}
          hint={lines.data && lines.data.length === 0 ? "You have no available line in this region." : "One of your available lines."}
        >
          {(p) => (
            <select {...p} value={values.physicalConnectionId} onChange={set("physicalConnectionId")}>
              <option value="">Choose a line</option>
              {(lines.data ?? []).map((l) => (
                <option key={l.id} value={l.id}>{l.name} ({l.id}, {l.bandwidthMbps} Mbit/s)</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Customer account" name={f("account_id")} hint="The account that will hold it, e.g. acme.">
          {(p) => <input {...p} {...bind("accountId")} />}
        </Field>
        <Field label="VLAN" name={f("vlan")} hint="802.1Q VLAN id, 1–4094, free on the line.">
          {(p) => <input {...p} inputMode="numeric" {...bind("vlan")} />}
        </Field>
        <Field label="Bandwidth" name={f("bandwidth_mbps")} hint="The hosted bandwidth on a line never exceeds the line's.">
          {(p) => (
            <select {...p} value={values.bandwidthMbps} onChange={set("bandwidthMbps")}>
              <option value="">Choose a bandwidth</option>
              {hostedSteps.map((s) => <option key={s} value={String(s)}>{s >= 1000 ? `${s / 1000} Gbit/s` : `${s} Mbit/s`}</option>)}
            </select>
          )}
        </Field>
      </ApiForm>
    </Page>
  );
}

export function HostedConnectionDetail() {
  const { params } = useRoute();
  const { route } = useLocation();
  const id = params.id;
  const hosted = useLive(() => api.hostedConnections.getHostedConnection({ region: region(), id }), [id], ["hostedConnection"]);
  if (hosted.data === null) {
    return <LoadingPage id={id} loaded={hosted} what="the hosted connection" />;
  }
  const h = hosted.data;
  const customer = currentSession()?.account === h.accountId;
  const ask = { region: region(), id: h.id, etag: h.etag };
  return (
    <Page title={`Hosted connection ${h.id}`}>
      <ErrorBox problem={hosted.problem} />
      <Facts
        items={[
          ["ID", <span class="id">{h.id}</span>] as [string, ComponentChildren],
          ["Status", <StatusBadge text={hostedState(h)} />],
          ["Status reason", h.stateReason || "—"],
          ["Partner", h.partnerName],
          ...(h.partnerAccountId ? [["Partner account", h.partnerAccountId] as [string, ComponentChildren]] : []),
          ["Customer account", h.accountId],
          ...(h.physicalConnectionId ? [["Line", <IdLink id={h.physicalConnectionId} />] as [string, ComponentChildren]] : []),
          ["Location", <IdLink id={h.locationId} />],
          ["VLAN", String(h.vlan)],
          ["Bandwidth", `${h.bandwidthMbps} Mbit/s`],
          ...(customer
            ? [["Virtual interfaces", h.virtualInterfaceIds.length === 0 ? "None" : <ul class="inline-list">{h.virtualInterfaceIds.map((v) => <li key={v}><IdLink id={v} /></li>)}</ul>] as [string, ComponentChildren]]
            : []),
          ["Allocated", formatTime(h.createTime)],
        ]}
      />
      {h.state === State.DELETED ? null : (
        <div class="actions" aria-label="Actions">
          {customer && h.state === State.PENDING_ACCEPTANCE ? (
            <>
              <ConfirmAction
                label="Accept"
                tone="primary"
                what={h.id}
                action={() => api.hostedConnections.acceptHostedConnection({ ...ask, requestId: requestId() })}
                onDone={hosted.reload}
              />
              <ConfirmAction
                label="Decline"
                what={h.id}
                action={() => api.hostedConnections.declineHostedConnection({ ...ask, requestId: requestId() })}
                onDone={hosted.reload}
              />
            </>
          ) : null}
          {customer && h.state === State.AVAILABLE ? (
            <a class="button" href={`/console/virtual-interfaces/new?hostedConnectionId=${encodeURIComponent(h.id)}`}>Create virtual interface</a>
          ) : null}
          <ConfirmAction
            label="Delete"
            what={h.id}
            action={() => api.hostedConnections.deleteHostedConnection({ ...ask, requestId: requestId() })}
            onDone={() => route("/console/hosted-connections")}
          />
        </div>
      )}
    </Page>
  );
}

/** The operator's registry of a region's partners. */
export function PartnerList() {
  const operator = isOperator();
  const partners = useLive(async () => (await api.partners.listPartners({ region: region(), pageSize: 100 })).partners, [], []);
  if (!operator) {
    return <Page title="Partners"><p>Only operators register partners.</p></Page>;
  }
  return (
    <Page title="Partners">
      <PartnerRegister onDone={partners.reload} />
      <LiveTable
        caption="Partners"
        loaded={partners}
        what="partners"
        rowKey={(p) => p.id}
        empty="No partner is registered in this region."
        columns={[
          { header: "Name", cell: (p: Partner) => p.name },
          { header: "Account", cell: (p: Partner) => <span class="id">{p.accountId}</span> },
          { header: "Line quota", cell: (p: Partner) => String(p.connectionQuota) },
          { header: "Registered", cell: (p: Partner) => formatTime(p.createTime) },
          {
            header: "Actions",
            cell: (p: Partner) => (
              <ConfirmAction
                label="Delete"
                what={p.name}
                action={() => api.partners.deletePartner({ region: region(), id: p.id, etag: p.etag, requestId: requestId() })}
                onDone={partners.reload}
              />
            ),
          },
        ]}
      />
    </Page>
  );
}

function PartnerRegister({ onDone }: { onDone: () => void }) {
  const form = useForm({ accountId: "", name: "", connectionQuota: "" });
  const { values, bind } = form;
  const f = (name: string) => `partner.${name}`;
  const request = useFormRequest((numbers) =>
    api.partners.registerPartner({
      region: region(),
      requestId: form.requestId,
      partner: {
        accountId: values.accountId.trim(),
        name: values.name,
        connectionQuota: values.connectionQuota.trim() === "" ? 0 : numbers.int32(f("connection_quota"), values.connectionQuota),
      },
    }),
  );
  return (
    <ApiForm
      class="card form"
      request={request}
      shownFields={["account_id", "name", "connection_quota"].map(f)}
      onDone={() => {
        form.reset();
        onDone();
      }}
      intro={<p class="hint form-intro">A registered partner orders its own lines under its own quota and allocates hosted connections on them.</p>}
      submit="Register partner"
    >
      <Field label="Partner account" name={f("account_id")} hint="The partner's account, e.g. carrier.">
        {(p) => <input {...p} {...bind("accountId")} />}
      </Field>
      <Field label="Partner name" name={f("name")} hint="What customers see on the hosted connections it allocates.">
        {(p) => <input {...p} {...bind("name")} />}
      </Field>
      <Field label="Line quota (optional)" name={f("connection_quota")} hint="Lines it may hold in the region; empty: the default, 100.">
        {(p) => <input {...p} inputMode="numeric" {...bind("connectionQuota")} />}
      </Field>
    </ApiForm>
  );
}
