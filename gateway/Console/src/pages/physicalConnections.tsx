// Physical connections: the list the guide opens on (status Applying, …), the order form, and the detail page
// with its history, the LOA, and the actions of the customer and the operator for the line's state.
import {
  type PhysicalConnection,
  PhysicalConnection_State as State,
  PortSpeed,
} from "@directconnect/sdk";
import { useLocation, useRoute } from "preact-iso";
import { api, region, requestId } from "../api";
import { ApiForm, useForm, useFormRequest } from "../forms";
import { isOperator } from "../session";
import { ConfirmAction, ErrorBox, Facts, Field, IdLink, LiveTable, LoadingPage, Page, StatusBadge, Table, enumText, formatTime, useAction, useLive } from "../ui";

export const lineState = (line: PhysicalConnection) => enumText(State, line.state);

export function PhysicalConnectionList() {
  const operator = isOperator();
  const lines = useLive(
    async () => (await api.physicalConnections.listPhysicalConnections({ region: region(), pageSize: 100 })).physicalConnections,
    [],
    ["physicalConnection"],
  );
  return (
    <Page title="Physical Connections" actions={operator ? null : <a class="button" href="/console/physical-connections/new">Create physical connection</a>}>
      <LiveTable
        caption="Physical connections"
        loaded={lines}
        what="physical connections"
        rowKey={(l) => l.id}
        empty="No physical connections in this region yet."
        columns={[
          { header: "Name", cell: (l) => <a href={`/console/physical-connections/${l.id}`}>{l.name}</a> },
          { header: "ID", cell: (l) => <span class="id">{l.id}</span> },
          ...(operator ? [{ header: "Account", cell: (l: PhysicalConnection) => l.accountId }] : []),
          { header: "Location", cell: (l) => <IdLink id={l.locationId} /> },
          { header: "Bandwidth", cell: (l) => `${l.bandwidthMbps} Mbit/s` },
          { header: "Status", cell: (l) => <StatusBadge text={lineState(l)} /> },
          { header: "Created", cell: (l) => formatTime(l.createTime) },
        ]}
      />
    </Page>
  );
}

export function PhysicalConnectionCreate() {
  const { route } = useLocation();
  const locations = useLive(async () => (await api.locations.listLocations({ region: region(), pageSize: 100 })).locations, []);
  const form = useForm({ name: "", description: "", locationId: "", portSpeed: "PORT_SPEED_10G", bandwidthMbps: "", provider: "", partner: "" });
  const { values, bind, set } = form;
  const request = useFormRequest((numbers) =>
    api.physicalConnections.createPhysicalConnection({
      region: region(),
      requestId: form.requestId,
      physicalConnection: {
        name: values.name,
        description: values.description,
        locationId: values.locationId,
        portSpeed: PortSpeed[values.portSpeed as keyof typeof PortSpeed],
        bandwidthMbps: numbers.int32("physical_connection.bandwidth_mbps", values.bandwidthMbps),
        provider: values.provider,
        partner: values.partner,
      },
    }),
  );
  const shown = ["physical_connection.name", "physical_connection.description", "physical_connection.location_id", "physical_connection.port_speed", "physical_connection.bandwidth_mbps", "physical_connection.provider", "physical_connection.partner"];
  return (
    <Page title="Create physical connection">
      <ApiForm
        class="card form"
        request={request}
        shownFields={shown}
        onDone={(created) => route(`/console/physical-connections/${created.id}`)}
        submit="Create"
        cancel="/console/physical-connections"
      >
        <Field label="Name" name="physical_connection.name">
          {(p) => <input {...p} {...bind("name")} />}
        </Field>
        <Field label="Description" name="physical_connection.description">
          {(p) => <input {...p} {...bind("description")} />}
        </Field>
        <Field label="Location" name="physical_connection.location_id" hint="The cloud access point the line goes into.">
          {(p) => (
            <select {...p} value={values.locationId} onChange={set("locationId")}>
              <option value="">Choose a location</option>
              {(locations.data ?? []).map((l) => <option key={l.id} value={l.id}>{l.name} ({l.code})</option>)}
            </select>
          )}
        </Field>
        <Field label="Port speed" name="physical_connection.port_speed">
          {(p) => (
            <select {...p} value={values.portSpeed} onChange={set("portSpeed")}>
              <option value="PORT_SPEED_1G">1G</option>
              <option value="PORT_SPEED_10G">10G</option>
              <option value="PORT_SPEED_100G">100G</option>
            </select>
          )}
        </Field>
        <Field label="Bandwidth (Mbit/s)" name="physical_connection.bandwidth_mbps">
          {(p) => <input {...p} inputMode="numeric" {...bind("bandwidthMbps")} />}
        </Field>
        <Field label="Provider" name="physical_connection.provider" hint="The carrier of the line, e.g. China Telecom.">
          {(p) => <input {...p} {...bind("provider")} />}
        </Field>
        <Field label="Partner (optional)" name="physical_connection.partner">
          {(p) => <input {...p} {...bind("partner")} />}
        </Field>
      </ApiForm>
    </Page>
  );
}

function RejectForm({ line, onDone }: { line: PhysicalConnection; onDone: () => void }) {
  const form = useForm({ reason: "" });
  const request = useFormRequest(() =>
    api.physicalConnections.rejectPhysicalConnection({ region: region(), id: line.id, reason: form.values.reason, etag: line.etag, requestId: requestId() }),
  );
  return (
    <ApiForm class="inline-form" request={request} shownFields={["reason"]} onDone={onDone}>
      <Field label="Reason for rejecting" name="reason">
        {(p) => <input {...p} {...form.bind("reason")} />}
      </Field>
      <button type="submit" class="danger" disabled={request.busy}>Reject</button>
    </ApiForm>
  );
}

async function downloadLoa(line: PhysicalConnection) {
  const body = await api.physicalConnections.getPhysicalConnectionLoa({ region: region(), id: line.id });
  const url = URL.createObjectURL(new Blob([body.data as Uint8Array<ArrayBuffer>], { type: body.contentType || "application/pdf" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = `${line.id}-loa.pdf`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Actions({ line, reload }: { line: PhysicalConnection; reload: () => void }) {
  const { route } = useLocation();
  const operator = isOperator();
  const ask = { region: region(), id: line.id, etag: line.etag };
  const loa = useAction(() => downloadLoa(line));
  const step = (label: string, call: () => Promise<unknown>) => (
    <ConfirmAction label={label} what={line.name} action={call} onDone={reload} tone="primary" />
  );
  if (line.state === State.DELETED) {
    return null;
  }
  return (
    <div class="actions" aria-label="Actions">
      {operator && line.state === State.APPLYING ? (
        <>
          {step("Approve", () => api.physicalConnections.approvePhysicalConnection({ ...ask, requestId: requestId() }))}
          <RejectForm line={line} onDone={reload} />
        </>
      ) : null}
      {operator && line.state === State.PENDING_PAYMENT
        ? step("Record payment", () => api.physicalConnections.recordPhysicalConnectionPayment({ ...ask, requestId: requestId() }))
        : null}
      {operator && line.state === State.UNDER_CONSTRUCTION && !line.waitingForPort
        ? step("Complete construction", () => api.physicalConnections.completePhysicalConnectionConstruction({ ...ask, requestId: requestId() }))
        : null}
      {!operator && line.state === State.AWAITING_CONFIRMATION
        ? step("Confirm", () => api.physicalConnections.confirmPhysicalConnection({ ...ask, requestId: requestId() }))
        : null}
      {line.port ? (
        <div>
          <button type="button" class="secondary" onClick={() => void loa.run()} disabled={loa.busy}>Download LOA-CFA (PDF)</button>
          <ErrorBox problem={loa.problem} />
        </div>
      ) : null}
      <ConfirmAction
        label="Delete"
        what={line.name}
        action={() => api.physicalConnections.deletePhysicalConnection({ ...ask, requestId: requestId() })}
        onDone={() => route("/console/physical-connections")}
      />
    </div>
  );
}

export function PhysicalConnectionDetail() {
  const { params } = useRoute();
  const id = params.id;
  const line = useLive(() => api.physicalConnections.getPhysicalConnection({ region: region(), id }), [id], ["physicalConnection"]);
  if (line.data === null) {
    return <LoadingPage id={id} loaded={line} what="the physical connection" />;
  }
  const l = line.data;
  return (
    <Page title={l.name}>
      <ErrorBox problem={line.problem} />
      <Facts
        items={[
          ["ID", <span class="id">{l.id}</span>],
          ["Status", <StatusBadge text={lineState(l)} />],
          ["Status reason", l.stateReason || "—"],
          ["Account", l.accountId],
          ["Location", <IdLink id={l.locationId} />],
          ["Port speed", enumText(PortSpeed, l.portSpeed)],
          ["Bandwidth", `${l.bandwidthMbps} Mbit/s`],
          ["Provider", l.provider],
          ["Partner", l.partner || "—"],
          ["Port", l.port ? <span><IdLink id={l.port.accessDeviceId} /> {l.port.portName}</span> : l.waitingForPort ? "Waiting for a free port" : "—"],
          ["Paid", formatTime(l.paymentTime)],
          ["Virtual interfaces", l.virtualInterfaceIds.length === 0 ? "None" : <ul class="inline-list">{l.virtualInterfaceIds.map((v) => <li key={v}><IdLink id={v} /></li>)}</ul>],
          ["Created", formatTime(l.createTime)],
        ]}
      />
      <Actions line={l} reload={line.reload} />
      <h2>History</h2>
      <Table
        caption="State history"
        rows={l.history.map((h, i) => ({ h, i }))}
        rowKey={(r) => String(r.i)}
        empty="No history."
        columns={[
          { header: "Time", cell: (r) => formatTime(r.h.time) },
          { header: "State", cell: (r) => <StatusBadge text={enumText(State, r.h.state)} /> },
          { header: "By", cell: (r) => r.h.actor },
          { header: "Reason", cell: (r) => r.h.reason || "—" },
        ]}
      />
    </Page>
  );
}
