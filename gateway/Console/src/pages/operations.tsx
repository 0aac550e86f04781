// The operator's queues of physical connections: review (approve or reject an application), payment (record
// it, which allocates a port) and construction (report the line built). Every account's lines, by state.
// An operator's watch stream carries only the operator account's own changes, so the page re-reads after each
// of its actions and offers a Refresh button.
import {
  type AccessDevice,
  type Location,
  type PhysicalConnection,
  PhysicalConnection_State as State,
  PortSpeed,
} from "@directconnect/sdk";
import { useRoute } from "preact-iso";
import { useState } from "preact/hooks";
import { allPages, api, region, requestId } from "../api";
import { submitted, useForm, useFormRequest } from "../forms";
import { isOperator } from "../session";
import { type Column, ConfirmAction, ErrorBox, Field, IdLink, Loading, Page, StatusBadge, Table, enumText, formatTime, useLive } from "../ui";
import "./operations.css";
import "./stacked.css";

type Stage = "review" | "payment" | "construction";

const stages: { stage: Stage; title: string; state: State; empty: string }[] = [
  { stage: "review", title: "Review queue", state: State.APPLYING, empty: "No applications are waiting for review." },
  { stage: "payment", title: "Payment", state: State.PENDING_PAYMENT, empty: "No approved lines are waiting for payment." },
  { stage: "construction", title: "Construction", state: State.UNDER_CONSTRUCTION, empty: "No lines are under construction." },
];

/** The region's lines in `state`, every account's. */
const linesIn = (state: State): Promise<PhysicalConnection[]> =>
  allPages(async (pageToken) => {
    const page = await api.physicalConnections.listPhysicalConnections({ region: region(), state, pageSize: 1000, pageToken });
    return { items: page.physicalConnections, next: page.nextPageToken };
  });

/** The access devices, to name a line's port by its device. */
const allDevices = (): Promise<AccessDevice[]> =>
  allPages(async (pageToken) => {
    const page = await api.accessDevices.listAccessDevices({ region: region(), pageSize: 1000, pageToken });
    return { items: page.accessDevices, next: page.nextPageToken };
  });

const allLocations = (): Promise<Location[]> =>
  allPages(async (pageToken) => {
    const page = await api.locations.listLocations({ region: region(), pageSize: 1000, pageToken });
    return { items: page.locations, next: page.nextPageToken };
  });

/** When the line entered its current state (the last history entry for it). */
function since(line: PhysicalConnection) {
  const entry = [...line.history].reverse().find((h) => h.state === line.state);
  return formatTime(entry?.time ?? line.updateTime);
}

function PortText({ line, devices }: { line: PhysicalConnection; devices: Map<string, AccessDevice> }) {
  if (line.port) {
    const device = devices.get(line.port.accessDeviceId);
    return device ? (
      <span class="port"><a href={`/console/inventory/access-devices/${encodeURIComponent(device.id)}`}>{device.name}</a> <span class="id">{line.port.portName}</span></span>
    ) : (
      <span class="port"><IdLink id={line.port.accessDeviceId} /> <span class="id">{line.port.portName}</span></span>
    );
  }
  return line.waitingForPort ? <StatusBadge text="Waiting for a port" /> : <span>—</span>;
}

function RejectForm({ line, onDone }: { line: PhysicalConnection; onDone: (line: PhysicalConnection) => void }) {
  const form = useForm({ reason: "" });
  const { run, problem, busy } = useFormRequest(() =>
    api.physicalConnections.rejectPhysicalConnection({ region: region(), id: line.id, reason: form.values.reason, etag: line.etag, requestId: requestId() }),
  );
  // Not an ApiForm: in a queue's row the error goes under the button, and only when the field does not show it all.
  return (
    <form class="inline-form reject-form" noValidate aria-label={`Reject ${line.name}`} onSubmit={submitted(run, onDone)}>
      <Field label="Reason for rejecting" name="reason" problem={problem}>
        {(p) => <input {...p} {...form.bind("reason")} />}
      </Field>
      <button type="submit" class="danger" disabled={busy}>Reject</button>
      {/* A violation of the reason is shown at its field; anything else (a stale etag, the wrong state) here. */}
      {problem && !(problem.fields.length > 0 && problem.fields.every((f) => f.field === "reason")) ? <ErrorBox problem={problem} shownFields={["reason"]} /> : null}
    </form>
  );
}

interface Outcome {
  line: PhysicalConnection;
  text: string;
}

function outcomeOf(line: PhysicalConnection, devices: Map<string, AccessDevice>): Outcome {
  switch (line.state) {
    case State.PENDING_PAYMENT:
      return { line, text: "approved; it now waits for payment." };
    case State.REJECTED:
      return { line, text: `rejected: ${line.stateReason}` };
    case State.UNDER_CONSTRUCTION:
      return {
        line,
        text: line.port
          ? `payment recorded; port ${line.port.portName} on ${devices.get(line.port.accessDeviceId)?.name ?? line.port.accessDeviceId} allocated.`
          : "payment recorded; waiting for a port (none of its speed is free at its location).",
      };
    case State.AWAITING_CONFIRMATION:
      return { line, text: "construction complete; it now waits for the customer's confirmation." };
    default:
      return { line, text: `now ${enumText(State, line.state).toLowerCase()}.` };
  }
}

function RowActions({ stage, line, done }: { stage: Stage; line: PhysicalConnection; done: (line: PhysicalConnection) => void }) {
  const ask = { region: region(), id: line.id, etag: line.etag };
  const step = (label: string, call: () => Promise<PhysicalConnection>) => (
    <ConfirmAction
      label={label}
      what={line.name}
      tone="primary"
      action={async () => {
        const changed = await call();
        done(changed);
        return changed;
      }}
    />
  );
  if (stage === "review") {
    return (
      <div class="row-actions">
        {step("Approve", () => api.physicalConnections.approvePhysicalConnection({ ...ask, requestId: requestId() }))}
        <RejectForm line={line} onDone={done} />
      </div>
    );
  }
  if (stage === "payment") {
    return step("Record payment", () => api.physicalConnections.recordPhysicalConnectionPayment({ ...ask, requestId: requestId() }));
  }
  if (line.waitingForPort) {
    return <span class="hint">None until a port is free</span>;
  }
  return step("Complete construction", () => api.physicalConnections.completePhysicalConnectionConstruction({ ...ask, requestId: requestId() }));
}

export function OperationsQueue() {
  const { params } = useRoute();
  const current = stages.find((s) => s.stage === params.stage);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const queues = useLive(
    async () => {
      const [lists, locations, devices] = await Promise.all([
        Promise.all(stages.map((s) => linesIn(s.state))),
        allLocations(),
        allDevices(),
      ]);
      return { lists, locations: new Map(locations.map((l) => [l.id, l])), devices: new Map(devices.map((d) => [d.id, d])) };
    },
    [params.stage], // switching stages re-reads the queues (and their counts)
    ["physicalConnection"],
  );
  if (!isOperator()) {
    return (
      <Page title={current?.title ?? "Operations"}>
        <p class="notice">
          Reviewing, billing and building lines is the operator's work: you are not signed in as an operator. Your own lines are
          under <a href="/console/physical-connections">Physical Connections</a>.
        </p>
      </Page>
    );
  }
  if (!current) {
    return (
      <Page title="Operations">
        <p>There is no stage “{params.stage}”. <a href="/console/operations/review">Go to the review queue.</a></p>
      </Page>
    );
  }
  const index = stages.indexOf(current);
  const rows = queues.data?.lists[index] ?? null;
  const locationCell = (l: PhysicalConnection) => {
    const where = queues.data?.locations.get(l.locationId);
    return where ? <a href={`/console/inventory/locations/${encodeURIComponent(where.id)}`}>{where.code}</a> : <IdLink id={l.locationId} />;
  };
  const done = (line: PhysicalConnection) => {
    setOutcome(outcomeOf(line, queues.data?.devices ?? new Map()));
    queues.reload();
  };
  const columns: Column<PhysicalConnection>[] = [
    {
      header: "Name",
      cell: (l) => (
        <span class="line-name">
          <a href={`/console/physical-connections/${encodeURIComponent(l.id)}`}>{l.name}</a> <span class="id">{l.id}</span>
        </span>
      ),
    },
    { header: "Account", cell: (l) => l.accountId },
    { header: "Location", cell: locationCell },
    {
      header: "Line",
      cell: (l) => (
        <span class="line-facts">
          <span>{enumText(PortSpeed, l.portSpeed).toUpperCase()} port, {l.bandwidthMbps} Mbit/s</span>
          <span>{l.partner ? `${l.provider} (via ${l.partner})` : l.provider}</span>
        </span>
      ),
    },
    ...(current.stage === "construction" ? [{ header: "Port", cell: (l: PhysicalConnection) => <PortText line={l} devices={queues.data?.devices ?? new Map()} /> }] : []),
    { header: { review: "Applied", payment: "Approved", construction: "Paid" }[current.stage], cell: (l) => current.stage === "construction" ? formatTime(l.paymentTime) : since(l) },
    { header: "Action", cell: (l) => <RowActions key={l.etag} stage={current.stage} line={l} done={done} /> },
  ];
  return (
    <Page
      title={current.title}
      actions={<button type="button" class="secondary" onClick={() => { setOutcome(null); queues.reload(); }}>Refresh</button>}
    >
      <nav class="stage-tabs" aria-label="Stages">
        <ul>
          {stages.map((s, i) => (
            <li key={s.stage}>
              <a href={`/console/operations/${s.stage}`} aria-current={s === current ? "page" : undefined}>
                {s.title}
                {queues.data ? <span class="count"> ({queues.data.lists[i].length})</span> : null}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <p class="hint stage-hint">
        {current.stage === "review" ? "Applications in state Applying: approve one to ask for payment, or reject it with a reason the customer sees." : null}
        {current.stage === "payment" ? "Approved lines in state Pending payment: recording the payment allocates a free port of the line's speed at its location." : null}
        {current.stage === "construction" ? "Paid lines in state Under construction: once the line is patched into its port, complete construction; the customer then confirms it." : null}
        {" "}Changes made by customers do not arrive here by themselves: use Refresh.
      </p>
      <div role="status" class="outcome-slot">
        {outcome ? (
          <p class="outcome">
            <a href={`/console/physical-connections/${encodeURIComponent(outcome.line.id)}`}>{outcome.line.name}</a> {outcome.text}
          </p>
        ) : null}
      </div>
      <ErrorBox problem={queues.problem} />
      {rows === null ? (queues.problem ? null : <Loading what="the queue" />) : (
        <div class="stacked queue">
          <Table caption={`${current.title}: physical connections`} rows={rows} rowKey={(l) => l.id} empty={current.empty} columns={columns} />
        </div>
      )}
    </Page>
  );
}
