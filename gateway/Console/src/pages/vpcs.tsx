// VPCs: the catalog of the account's VPCs (they come from the cloud's VPC service; operators register them), the
// operator's registration form, and the detail page with the border gateways attached to the VPC and its route
// table (a local route per CIDR block, static routes to an attached border gateway).
import {
  BorderGateway_VpcAttachment_State as AttachmentState,
  NextHopType,
  type Vpc,
  Vpc_State as State,
} from "@directconnect/sdk";
import { useLocation, useRoute } from "preact-iso";
import { api, region, requestId } from "../api";
import { ApiForm, splitList, useForm, useFormRequest } from "../forms";
import { isOperator } from "../session";
import { ConfirmAction, ErrorBox, Facts, Field, LiveTable, LoadingPage, Page, StatusBadge, Table, enumText, formatTime, useLive } from "../ui";
import { type NextHopChoice, RouteTable, reloadOnFailure } from "./borderGateways";
import "./network.css";

const vpcState = (v: Vpc) => enumText(State, v.state);

function CidrList({ blocks }: { blocks: string[] }) {
  return <ul class="cidr-list">{blocks.map((b) => <li key={b}>{b}</li>)}</ul>;
}

function FromVpcService() {
  return (
    <p class="note">
      VPCs come from the cloud's VPC service: the VPCs of your account appear here once they are registered in the
      Direct Connect catalog, and your border gateways attach to them by themselves.
    </p>
  );
}

export function VpcList() {
  const operator = isOperator();
  const vpcs = useLive(async () => (await api.vpcs.listVpcs({ region: region(), pageSize: 100 })).vpcs, [], ["vpc"]);
  return (
    <Page title="VPCs" actions={operator ? <a class="button" href="/console/vpcs/new">Register VPC</a> : null}>
      {operator ? null : <FromVpcService />}
      <LiveTable
        caption="VPCs"
        loaded={vpcs}
        what="VPCs"
        rowKey={(v) => v.id}
        empty="No VPCs in this region yet."
        columns={[
          { header: "Name", cell: (v) => <a href={`/console/vpcs/${v.id}`}>{v.name}</a> },
          { header: "ID", cell: (v) => <span class="id">{v.id}</span> },
          ...(operator ? [{ header: "Account", cell: (v: Vpc) => v.accountId }] : []),
          { header: "CIDR blocks", cell: (v) => <CidrList blocks={v.cidrBlocks} /> },
          { header: "State", cell: (v) => <StatusBadge text={vpcState(v)} label="State" /> },
          { header: "Created", cell: (v) => formatTime(v.createTime) },
        ]}
      />
    </Page>
  );
}

export function VpcCreate() {
  const { route } = useLocation();
  const operator = isOperator();
  const form = useForm({ accountId: "", name: "", cidrBlocks: "", vpcId: "" });
  const { values, bind } = form;
  const request = useFormRequest(
    () =>
      api.vpcs.registerVpc({
        region: region(),
        requestId: form.requestId,
        vpcId: values.vpcId.trim(),
        vpc: { accountId: values.accountId, name: values.name, cidrBlocks: splitList(values.cidrBlocks) },
      }),
    ["vpc.cidr_blocks"],
  );
  if (!operator) {
    return (
      <Page title="Register VPC">
        <FromVpcService />
        <p><a href="/console/vpcs">Back to the VPCs</a></p>
      </Page>
    );
  }
  const shown = ["vpc.account_id", "vpc.name", "vpc.cidr_blocks", "vpc_id"];
  return (
    <Page title="Register VPC">
      <ApiForm
        class="card form"
        request={request}
        shownFields={shown}
        onDone={(created) => route(`/console/vpcs/${created.id}`)}
        intro={
          <p class="hint form-intro">
            Adds a VPC of the cloud's VPC service to the Direct Connect catalog, on behalf of its account. Every border
            gateway of that account in the region attaches to it.
          </p>
        }
        submit="Register VPC"
        cancel="/console/vpcs"
      >
        <Field label="Account" name="vpc.account_id" hint="The account that owns the VPC, e.g. acme.">
          {(p) => <input {...p} {...bind("accountId")} />}
        </Field>
        <Field label="Name" name="vpc.name">
          {(p) => <input {...p} {...bind("name")} />}
        </Field>
        <Field
          label="CIDR blocks"
          name="vpc.cidr_blocks"
          hint="One per line or separated by commas, e.g. 10.0.0.0/16; at most 5, not overlapping."
        >
          {(p) => <textarea {...p} rows={3} {...bind("cidrBlocks")} />}
        </Field>
        <Field
          label="VPC service id (optional)"
          name="vpc_id"
          hint="The id the VPC service gave the VPC, e.g. vpc-3d7f1a9c; empty: one is generated."
        >
          {(p) => <input {...p} {...bind("vpcId")} />}
        </Field>
      </ApiForm>
    </Page>
  );
}

export function VpcDetail() {
  const { params } = useRoute();
  const { route } = useLocation();
  const id = params.id;
  const operator = isOperator();
  const vpc = useLive(() => api.vpcs.getVpc({ region: region(), id }), [id], ["vpc"]);
  const gateways = useLive(
    async () => (await api.borderGateways.listBorderGateways({ region: region(), pageSize: 100 })).borderGateways,
    [],
    ["borderGateway"],
  );
  const routes = useLive(
    async () => (await api.routes.listVpcRoutes({ region: region(), vpcId: id, pageSize: 100 })).routes,
    [id],
    ["route", "borderGateway", "vpc"],
  );
  if (vpc.data === null) {
    return <LoadingPage id={id} loaded={vpc} what="the VPC" />;
  }
  const v = vpc.data;
  const attached = (gateways.data ?? []).flatMap((g) =>
    g.vpcAttachments.filter((a) => a.vpcId === v.id).map((a) => ({ gateway: g, attachment: a })),
  );
  const names: Record<string, string> = { [v.id]: v.name };
  (gateways.data ?? []).forEach((g) => (names[g.id] = g.name));
  const choices: NextHopChoice[] = attached
    .filter((a) => a.attachment.state === AttachmentState.ATTACHED)
    .map((a) => ({ type: NextHopType.BORDER_GATEWAY, id: a.gateway.id, label: `${a.gateway.name} (${a.gateway.id})` }));
  const live = v.state !== State.DELETED;
  return (
    <Page title={v.name}>
      <ErrorBox problem={vpc.problem} />
      <Facts
        items={[
          ["ID", <span class="id">{v.id}</span>],
          ["State", <StatusBadge text={vpcState(v)} label="State" />],
          ["Account", v.accountId],
          ["CIDR blocks", <CidrList blocks={v.cidrBlocks} />],
          ["Route table", <span class="id">{v.routeTableId}</span>],
          ["Registered", formatTime(v.createTime)],
          ["Updated", formatTime(v.updateTime)],
        ]}
      />
      {operator && live ? (
        <div class="actions" aria-label="Actions">
          <ConfirmAction
            label="Deregister"
            what={v.name}
            action={reloadOnFailure(
              () => api.vpcs.deregisterVpc({ region: region(), id: v.id, etag: v.etag, requestId: requestId() }),
              vpc.reload,
            )}
            onDone={() => route("/console/vpcs")}
          />
        </div>
      ) : null}
      <h2>Border gateways</h2>
      <ErrorBox problem={gateways.problem} />
      {operator ? <p class="hint">The border gateways attached to a VPC are shown to the VPC's account.</p> : null}
      <Table
        caption="Border gateways attached to this VPC"
        rows={attached}
        rowKey={(a) => a.gateway.id}
        empty="No border gateway is attached to this VPC."
        columns={[
          { header: "Name", cell: (a) => <a href={`/console/border-gateways/${a.gateway.id}`}>{a.gateway.name}</a> },
          { header: "ID", cell: (a) => <span class="id">{a.gateway.id}</span> },
          { header: "Attachment", cell: (a) => <StatusBadge text={enumText(AttachmentState, a.attachment.state)} label="Attachment" /> },
          { header: "Reason", cell: (a) => a.attachment.reason || "—" },
        ]}
      />
      <RouteTable
        routes={routes}
        names={names}
        types={[NextHopType.BORDER_GATEWAY]}
        choices={choices}
        canChange={live && !operator}
        create={(r, rid) => api.routes.createVpcRoute({ region: region(), vpcId: v.id, route: r, requestId: rid })}
        remove={(r) => api.routes.deleteVpcRoute({ region: region(), vpcId: v.id, routeId: r.id, etag: r.etag, requestId: requestId() })}
      />
    </Page>
  );
}
