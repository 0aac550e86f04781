// The operator's inventory: locations (the cloud's access points), the access devices at each with their ports
// and what holds them, and the cloud-side routers that carry border gateways. Every call here but listing and
// reading locations needs the operator role; a customer who opens these pages sees the API's refusal.
import {
  type AccessDevice,
  AccessDevice_State as DeviceState,
  type Location,
  type PhysicalConnection,
  PortSpeed,
  type Router,
  Router_State as RouterState,
} from "@directconnect/sdk";
import { useLocation, useRoute } from "preact-iso";
import { useState } from "preact/hooks";
import { allPages, api, region, requestId } from "../api";
import type { Problem } from "../errors";
import { ApiForm, useForm, useFormRequest, useRequestId } from "../forms";
import { ConfirmAction, ErrorBox, Facts, Field, IdLink, Loading, LoadingPage, Page, StatusBadge, Table, enumText, formatTime, useLive } from "../ui";
import "./inventory.css";
import "./stacked.css";

const listLocations = () =>
  allPages(async (pageToken) => {
    const r = await api.locations.listLocations({ region: region(), pageSize: 1000, pageToken });
    return { items: r.locations, next: r.nextPageToken };
  });

const listDevices = () =>
  allPages(async (pageToken) => {
    const r = await api.accessDevices.listAccessDevices({ region: region(), pageSize: 1000, pageToken });
    return { items: r.accessDevices, next: r.nextPageToken };
  });

const listLines = () =>
  allPages(async (pageToken) => {
    const r = await api.physicalConnections.listPhysicalConnections({ region: region(), pageSize: 1000, pageToken });
    return { items: r.physicalConnections, next: r.nextPageToken };
  });

const speedText = (speed: PortSpeed) => enumText(PortSpeed, speed).toUpperCase();

function portsInUse(devices: AccessDevice[]) {
  const ports = devices.flatMap((d) => d.ports);
  const used = ports.filter((p) => p.allocatedPhysicalConnectionId !== "").length;
  return `${used} of ${ports.length} ${ports.length === 1 ? "port" : "ports"} in use`;
}

/** "10G: 1 of 4 free" per speed the devices have. */
function freeBySpeed(devices: AccessDevice[]) {
  const speeds = [...new Set(devices.flatMap((d) => d.ports.map((p) => p.speed)))].sort();
  return speeds
    .map((s) => {
      const ports = devices.flatMap((d) => d.ports).filter((p) => p.speed === s);
      return `${speedText(s)}: ${ports.filter((p) => p.allocatedPhysicalConnectionId === "").length} of ${ports.length} free`;
    })
    .join(", ");
}

const locationHref = (id: string) => `/console/inventory/locations/${encodeURIComponent(id)}`;
const deviceHref = (id: string) => `/console/inventory/access-devices/${encodeURIComponent(id)}`;
const routerHref = (id: string) => `/console/inventory/routers/${encodeURIComponent(id)}`;

/** A note that something was added, announced to screen readers. */
function Added({ text, href, name }: { text: string; href: string; name: string } ) {
  return (
    <p class="outcome">
      {text} <a href={href}>{name}</a>.
    </p>
  );
}

// ---------------------------------------------------------------------------------------------- Locations

function AddLocationForm({ onAdded }: { onAdded: (location: Location) => void }) {
  const form = useForm({ code: "", name: "", address: "" });
  const { values, bind } = form;
  const request = useFormRequest(() =>
    api.locations.createLocation({ region: region(), requestId: form.requestId, location: { code: values.code, name: values.name, address: values.address } }),
  );
  return (
    <ApiForm
      class="card form"
      aria-labelledby="add-location"
      request={request}
      shownFields={["location.code", "location.name", "location.address"]}
      onDone={(created) => {
        form.reset();
        onAdded(created);
      }}
      intro={<h2 id="add-location">Add location</h2>}
      submit="Add location"
    >
      <Field label="Code" name="location.code" hint="Upper-case letters, digits and “-”, e.g. BJ-YZ-01; unique in the region and fixed once created.">
        {(p) => <input {...p} {...bind("code")} autoComplete="off" />}
      </Field>
      <Field label="Name" name="location.name" hint="Shown to customers, e.g. Beijing Yizhuang IDC 1.">
        {(p) => <input {...p} {...bind("name")} autoComplete="off" />}
      </Field>
      <Field label="Address (optional)" name="location.address" hint="Where the carrier delivers the line; printed on the LOA.">
        {(p) => <input {...p} {...bind("address")} autoComplete="off" />}
      </Field>
    </ApiForm>
  );
}

export function LocationList() {
  const [added, setAdded] = useState<Location | null>(null);
  const data = useLive(async () => {
    const [locations, devices] = await Promise.all([listLocations(), listDevices()]);
    return { locations, devices };
  }, []);
  const devicesAt = (id: string) => (data.data?.devices ?? []).filter((d) => d.locationId === id);
  return (
    <Page title="Locations" actions={<a class="button secondary" href="/console/inventory/routers">Cloud routers</a>}>
      <ErrorBox problem={data.problem} />
      {data.data === null ? (data.problem ? null : <Loading what="locations" />) : (
        <div class="stacked">
          <Table
            caption="Locations"
            rows={data.data.locations}
            rowKey={(l) => l.id}
            empty="No locations in this region yet. Add the first one below."
            columns={[
              { header: "Code", cell: (l) => l.code },
              { header: "Name", cell: (l) => <a href={locationHref(l.id)}>{l.name}</a> },
              { header: "Address", cell: (l) => l.address || "—" },
              { header: "ID", cell: (l) => <span class="id">{l.id}</span> },
              { header: "Access devices", cell: (l) => String(devicesAt(l.id).length) },
              { header: "Ports", cell: (l) => devicesAt(l.id).length === 0 ? "—" : portsInUse(devicesAt(l.id)) },
            ]}
          />
        </div>
      )}
      <div role="status">{added ? <Added text="Added location" href={locationHref(added.id)} name={added.name} /> : null}</div>
      <AddLocationForm
        onAdded={(location) => {
          setAdded(location);
          data.reload();
        }}
      />
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------- Access devices

interface PortRow {
  key: number;
  name: string;
  speed: string;
}

let portKey = 0;

/** The next port name after `name`: its last number plus one (`xe-0/0/3` → `xe-0/0/4`), else empty. */
function nextPortName(name: string): string {
  const match = /^(.*?)(\d+)(\D*)$/.exec(name);
  if (!match) {
    return "";
  }
  const next = String(Number(match[2]) + 1).padStart(match[2].length, "0");
  return match[1] + next + match[3];
}

/** Violations of exactly `field` (not of its parts). */
function exactViolations(problem: Problem | null, field: string): string[] {
  return (problem?.fields ?? []).filter((f) => f.field === field).map((f) => f.description);
}

function AddDeviceForm({ locationId, onAdded }: { locationId: string; onAdded: (device: AccessDevice) => void }) {
  const newRow = (name = "", speed = "PORT_SPEED_10G"): PortRow => ({ key: ++portKey, name, speed });
  const form = useForm({ name: "", vendor: "", model: "" });
  const { values, bind } = form;
  const [ports, setPorts] = useState<PortRow[]>([newRow()]);
  const rid = useRequestId(form.requestId, ports); // the ports are sent too: a new id when they change
  const request = useFormRequest(() =>
    api.accessDevices.createAccessDevice({
      region: region(),
      requestId: rid,
      accessDevice: {
        locationId,
        name: values.name,
        vendor: values.vendor,
        model: values.model,
        ports: ports.map((p) => ({ name: p.name, speed: PortSpeed[p.speed as keyof typeof PortSpeed] })),
      },
    }),
  );
  const setPort = (index: number, change: Partial<PortRow>) => setPorts(ports.map((p, i) => (i === index ? { ...p, ...change } : p)));
  const portsErrors = exactViolations(request.problem, "access_device.ports");
  return (
    <ApiForm
      class="card form device-form"
      aria-labelledby="add-device"
      request={request}
      shownFields={["access_device.name", "access_device.vendor", "access_device.model", "access_device.ports"]}
      onDone={(created) => {
        form.reset();
        setPorts([newRow()]);
        onAdded(created);
      }}
      intro={<h2 id="add-device">Add access device</h2>}
      submit="Add access device"
    >
      <Field label="Name" name="access_device.name" hint="Host name of the device, e.g. bj-yz-01-asw-01.">
        {(p) => <input {...p} {...bind("name")} autoComplete="off" />}
      </Field>
      <Field label="Vendor (optional)" name="access_device.vendor" hint="e.g. Huawei, Juniper, Cisco.">
        {(p) => <input {...p} {...bind("vendor")} autoComplete="off" />}
      </Field>
      <Field label="Model (optional)" name="access_device.model" hint="e.g. CE6881-48S6CQ.">
        {(p) => <input {...p} {...bind("model")} autoComplete="off" />}
      </Field>
      <fieldset class={portsErrors.length > 0 ? "ports field-invalid" : "ports"} aria-describedby={portsErrors.length > 0 ? "ports-error" : undefined}>
        <legend>Ports</legend>
        <p class="hint">The device's customer-facing ports, as the device names them (e.g. xe-0/0/12). Free ports are allocated to paid lines of the same speed at once.</p>
        {portsErrors.length > 0 ? <p class="field-error" id="ports-error" data-error-for="access_device.ports">{portsErrors.join("; ")}</p> : null}
        <ol class="port-rows">
          {ports.map((port, i) => {
            const rowErrors = exactViolations(request.problem, `access_device.ports[${i}]`);
            return (
              <li key={port.key} class={rowErrors.length > 0 ? "port-row port-row-invalid" : "port-row"} data-row={i}>
                <Field label={`Port ${i + 1} name`} name={`access_device.ports[${i}].name`}>
                  {(p) => <input {...p} value={port.name} onInput={(e) => setPort(i, { name: (e.target as HTMLInputElement).value })} autoComplete="off" />}
                </Field>
                <Field label={`Port ${i + 1} speed`} name={`access_device.ports[${i}].speed`}>
                  {(p) => (
                    <select {...p} value={port.speed} onChange={(e) => setPort(i, { speed: (e.target as HTMLSelectElement).value })}>
                      <option value="PORT_SPEED_1G">1G</option>
                      <option value="PORT_SPEED_10G">10G</option>
                      <option value="PORT_SPEED_100G">100G</option>
                    </select>
                  )}
                </Field>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => {
                    request.setProblem(null);
                    setPorts(ports.filter((_, j) => j !== i));
                  }}
                >
                  Remove port {i + 1}
                </button>
                {rowErrors.length > 0 ? <p class="field-error" data-error-for={`access_device.ports[${i}]`}>{rowErrors.join("; ")}</p> : null}
              </li>
            );
          })}
        </ol>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            const last = ports[ports.length - 1];
            setPorts([...ports, newRow(last ? nextPortName(last.name) : "", last?.speed)]);
          }}
        >
          Add port
        </button>
      </fieldset>
    </ApiForm>
  );
}

export function LocationDetail() {
  const { params } = useRoute();
  const id = params.id;
  const [added, setAdded] = useState<AccessDevice | null>(null);
  const data = useLive(async () => {
    const [location, devices] = await Promise.all([api.locations.getLocation({ region: region(), id }), listDevices()]);
    return { location, devices: devices.filter((d) => d.locationId === id) };
  }, [id]);
  if (data.data === null) {
    return <LoadingPage id={id} loaded={data} what="the location" />;
  }
  const { location: l, devices } = data.data;
  return (
    <Page title={l.name}>
      <p class="breadcrumb"><a href="/console/inventory/locations">Locations</a> › {l.code}</p>
      <ErrorBox problem={data.problem} />
      <Facts
        items={[
          ["ID", <span class="id">{l.id}</span>],
          ["Code", l.code],
          ["Name", l.name],
          ["Address", l.address || "—"],
          ["Region", l.region],
          ["Ports", devices.length === 0 ? "No access devices" : portsInUse(devices)],
          ["Free by speed", devices.length === 0 ? "—" : freeBySpeed(devices)],
          ["Created", formatTime(l.createTime)],
        ]}
      />
      <h2>Access devices</h2>
      <div class="stacked">
        <Table
          caption={`Access devices at ${l.name}`}
          rows={devices}
          rowKey={(d) => d.id}
          empty="No access devices at this location yet: lines ordered here wait for a port until one is added."
          columns={[
            { header: "Name", cell: (d) => <a href={deviceHref(d.id)}>{d.name}</a> },
            { header: "ID", cell: (d) => <span class="id">{d.id}</span> },
            { header: "Vendor", cell: (d) => d.vendor || "—" },
            { header: "Model", cell: (d) => d.model || "—" },
            { header: "Ports", cell: (d) => portsInUse([d]) },
            { header: "Free by speed", cell: (d) => freeBySpeed([d]) || "—" },
            { header: "Status", cell: (d) => <StatusBadge text={enumText(DeviceState, d.state)} label="Status" /> },
          ]}
        />
      </div>
      <div role="status">{added ? <Added text="Added access device" href={deviceHref(added.id)} name={added.name} /> : null}</div>
      <AddDeviceForm
        key={l.id}
        locationId={l.id}
        onAdded={(device) => {
          setAdded(device);
          data.reload();
        }}
      />
    </Page>
  );
}

export function AccessDeviceDetail() {
  const { params } = useRoute();
  const { route } = useLocation();
  const id = params.id;
  const data = useLive(async () => {
    const device = await api.accessDevices.getAccessDevice({ region: region(), id });
    const [location, lines] = await Promise.all([
      api.locations.getLocation({ region: region(), id: device.locationId }).catch(() => null),
      device.ports.some((p) => p.allocatedPhysicalConnectionId) ? listLines().catch(() => [] as PhysicalConnection[]) : Promise.resolve([] as PhysicalConnection[]),
    ]);
    return { device, location, lines: new Map(lines.map((line) => [line.id, line])) };
  }, [id]);
  if (data.data === null) {
    return <LoadingPage id={id} loaded={data} what="the access device" />;
  }
  const { device: d, location, lines } = data.data;
  const holder = (lineId: string) => {
    if (!lineId) {
      return "Free";
    }
    const line = lines.get(lineId);
    return line ? <span><a href={`/console/physical-connections/${encodeURIComponent(lineId)}`}>{line.name}</a> <span class="id">{lineId}</span></span> : <IdLink id={lineId} />;
  };
  return (
    <Page title={d.name}>
      <p class="breadcrumb">
        <a href="/console/inventory/locations">Locations</a> ›{" "}
        {location ? <a href={locationHref(location.id)}>{location.name}</a> : <IdLink id={d.locationId} />} › {d.name}
      </p>
      <ErrorBox problem={data.problem} />
      <Facts
        items={[
          ["ID", <span class="id">{d.id}</span>],
          ["Status", <StatusBadge text={enumText(DeviceState, d.state)} label="Status" />],
          ["Location", location ? <a href={locationHref(location.id)}>{location.name} ({location.code})</a> : <IdLink id={d.locationId} />],
          ["Vendor", d.vendor || "—"],
          ["Model", d.model || "—"],
          ["Ports", portsInUse([d])],
          ["Free by speed", freeBySpeed([d]) || "—"],
          ["Added", formatTime(d.createTime)],
          ["Last changed", formatTime(d.updateTime)],
        ]}
      />
      {d.state === DeviceState.DELETED ? null : (
        <div class="actions" aria-label="Actions">
          <ConfirmAction
            label="Delete"
            what={d.name}
            action={() => api.accessDevices.deleteAccessDevice({ region: region(), id: d.id, etag: d.etag, requestId: requestId() })}
            onDone={() => route(location ? locationHref(location.id) : "/console/inventory/locations")}
          />
        </div>
      )}
      <h2>Ports</h2>
      <div class="stacked">
        <Table
          caption={`Ports of ${d.name}`}
          rows={d.ports}
          rowKey={(p) => p.name}
          empty="This device has no ports."
          columns={[
            { header: "Name", cell: (p) => <span class="id">{p.name}</span> },
            { header: "Speed", cell: (p) => speedText(p.speed) },
            { header: "In use by", cell: (p) => holder(p.allocatedPhysicalConnectionId) },
          ]}
        />
      </div>
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------- Routers

function AddRouterForm({ onAdded }: { onAdded: (router: Router) => void }) {
  const form = useForm({ name: "", interfaceName: "", asn: "" });
  const { values, bind } = form;
  const request = useFormRequest((numbers) =>
    api.routers.createRouter({
      region: region(),
      requestId: form.requestId,
      router: { name: values.name, interfaceName: values.interfaceName, asn: numbers.int64("router.asn", values.asn) },
    }),
  );
  return (
    <ApiForm
      class="card form"
      aria-labelledby="add-router"
      request={request}
      shownFields={["router.name", "router.interface_name", "router.asn"]}
      onDone={(created) => {
        form.reset();
        onAdded(created);
      }}
      intro={<h2 id="add-router">Add router</h2>}
      submit="Add router"
    >
      <Field label="Name" name="router.name" hint="Host name of the router, e.g. bj-yz-01-bgw-01.">
        {(p) => <input {...p} {...bind("name")} autoComplete="off" />}
      </Field>
      <Field label="Interface name" name="router.interface_name" hint="The router's port facing the access devices, as Linux names it, e.g. eth1. Fixed once created.">
        {(p) => <input {...p} {...bind("interfaceName")} autoComplete="off" />}
      </Field>
      <Field label="ASN (optional)" name="router.asn" hint="Of the router's own BGP instance; empty for the default, 64999. Fixed once created.">
        {(p) => <input {...p} inputMode="numeric" {...bind("asn")} autoComplete="off" />}
      </Field>
    </ApiForm>
  );
}

function Gateways({ ids }: { ids: string[] }) {
  return ids.length === 0 ? <span>None</span> : <ul class="inline-list">{ids.map((g) => <li key={g}><IdLink id={g} /></li>)}</ul>;
}

function DeleteRouter({ router, onDone }: { router: Router; onDone: () => void }) {
  return (
    <ConfirmAction
      label="Delete"
      what={router.name}
      action={() => api.routers.deleteRouter({ region: region(), id: router.id, etag: router.etag, requestId: requestId() })}
      onDone={onDone}
    />
  );
}

export function RouterList() {
  const [added, setAdded] = useState<Router | null>(null);
  const [showDeleted, setShowDeleted] = useState(false);
  const routers = useLive(
    () =>
      allPages(async (pageToken) => {
        const r = await api.routers.listRouters({ region: region(), pageSize: 1000, pageToken, showDeleted });
        return { items: r.routers, next: r.nextPageToken };
      }),
    [showDeleted],
  );
  return (
    <Page title="Cloud routers" actions={<a class="button secondary" href="/console/inventory/locations">Locations</a>}>
      <p class="hint">
        The routers running FRR that carry border gateways' BGP sessions. A new border gateway is placed on the active router carrying the fewest.
      </p>
      <label class="checkbox">
        <input type="checkbox" checked={showDeleted} onChange={(e) => setShowDeleted((e.target as HTMLInputElement).checked)} />
        Show deleted routers
      </label>
      <ErrorBox problem={routers.problem} />
      {routers.data === null ? (routers.problem ? null : <Loading what="routers" />) : (
        <div class="stacked">
          <Table
            caption="Cloud routers"
            rows={routers.data}
            rowKey={(r) => r.id}
            empty="No routers in this region: border gateways are not placed, and their virtual interfaces keep BGP down."
            columns={[
              { header: "Name", cell: (r) => <a href={routerHref(r.id)}>{r.name}</a> },
              { header: "ID", cell: (r) => <span class="id">{r.id}</span> },
              { header: "Interface", cell: (r) => <span class="id">{r.interfaceName}</span> },
              { header: "ASN", cell: (r) => String(r.asn) },
              { header: "Status", cell: (r) => <StatusBadge text={enumText(RouterState, r.state)} label="Status" /> },
              { header: "Border gateways", cell: (r) => <Gateways ids={r.borderGatewayIds} /> },
              { header: "Action", cell: (r) => r.state === RouterState.DELETED ? "—" : <DeleteRouter key={r.etag} router={r} onDone={routers.reload} /> },
            ]}
          />
        </div>
      )}
      <div role="status">{added ? <Added text="Added router" href={routerHref(added.id)} name={added.name} /> : null}</div>
      <AddRouterForm
        onAdded={(router) => {
          setAdded(router);
          routers.reload();
        }}
      />
    </Page>
  );
}

export function RouterDetail() {
  const { params } = useRoute();
  const { route } = useLocation();
  const id = params.id;
  const router = useLive(() => api.routers.getRouter({ region: region(), id }), [id]);
  if (router.data === null) {
    return <LoadingPage id={id} loaded={router} what="the router" />;
  }
  const r = router.data;
  return (
    <Page title={r.name}>
      <p class="breadcrumb"><a href="/console/inventory/routers">Cloud routers</a> › {r.name}</p>
      <ErrorBox problem={router.problem} />
      <Facts
        items={[
          ["ID", <span class="id">{r.id}</span>],
          ["Status", <StatusBadge text={enumText(RouterState, r.state)} label="Status" />],
          ["Interface", <span class="id">{r.interfaceName}</span>],
          ["ASN", String(r.asn)],
          ["Border gateways", <Gateways ids={r.borderGatewayIds} />],
          ["Registered", formatTime(r.createTime)],
          ["Last changed", formatTime(r.updateTime)],
        ]}
      />
      <p class="hint">
        Its agent's key: <code>dotnet run --project gateway -- agent-key --router {r.id}</code> (embedded default).
      </p>
      {r.state === RouterState.DELETED ? null : (
        <div class="actions" aria-label="Actions">
          <DeleteRouter router={r} onDone={() => route("/console/inventory/routers")} />
        </div>
      )}
    </Page>
  );
}
