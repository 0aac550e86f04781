// The console's shell: sign-in, the region, the navigation of the guide (Direct Connection → Physical
// Connection, Hosted Connection, Private Virtual Interface, Border Gateway; VPC; Topology; and the operator's
// Operations, with the partner registry, and Inventory), and the pages' routes under /console/.
import { render } from "preact";
import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { region, setRegion } from "./api";
import { BorderGatewayCreate, BorderGatewayDetail, BorderGatewayList } from "./pages/borderGateways";
import { HostedConnectionAllocate, HostedConnectionDetail, HostedConnectionList, PartnerList } from "./pages/hostedConnections";
import { AccessDeviceDetail, LocationDetail, LocationList, RouterDetail, RouterList } from "./pages/inventory";
import { OperationsQueue } from "./pages/operations";
import { PhysicalConnectionCreate, PhysicalConnectionDetail, PhysicalConnectionList } from "./pages/physicalConnections";
import { SignIn, SignInCallback } from "./pages/signIn";
import { Topology } from "./pages/topology";
import { VirtualInterfaceCreate, VirtualInterfaceDetail, VirtualInterfaceList } from "./pages/virtualInterfaces";
import { VpcCreate, VpcDetail, VpcList } from "./pages/vpcs";
import { consoleSettings, currentSession, isOperator, loadSettings, signOut } from "./session";
import "./styles.css";
import { startWatch, stopWatch, useLiveStatus } from "./watch";

function NavLink({ href, children }: { href: string; children: string }) {
  const { path } = useLocation();
  const current = path === href || path.startsWith(href + "/");
  return (
    <li>
      <a href={href} aria-current={current ? "page" : undefined}>{children}</a>
    </li>
  );
}

function Navigation() {
  const operator = isOperator();
  return (
    <nav class="sidebar" aria-label="Console">
      <h2>Direct Connection</h2>
      <ul>
        <NavLink href="/console/physical-connections">Physical Connections</NavLink>
        <NavLink href="/console/hosted-connections">Hosted Connections</NavLink>
        <NavLink href="/console/virtual-interfaces">Private Virtual Interfaces</NavLink>
        <NavLink href="/console/border-gateways">Border Gateways</NavLink>
      </ul>
      <h2>VPC</h2>
      <ul>
        <NavLink href="/console/vpcs">VPCs</NavLink>
      </ul>
      <h2>Insight</h2>
      <ul>
        <NavLink href="/console/topology">Topology and trace</NavLink>
      </ul>
      {operator ? (
        <>
          <h2>Operations</h2>
          <ul>
            <NavLink href="/console/operations/review">Review queue</NavLink>
            <NavLink href="/console/operations/payment">Payment</NavLink>
            <NavLink href="/console/operations/construction">Construction</NavLink>
            <NavLink href="/console/operations/partners">Partners</NavLink>
          </ul>
          <h2>Inventory</h2>
          <ul>
            <NavLink href="/console/inventory/locations">Locations and devices</NavLink>
            <NavLink href="/console/inventory/routers">Cloud routers</NavLink>
          </ul>
        </>
      ) : null}
    </nav>
  );
}

function LiveIndicator() {
  const status = useLiveStatus();
  const text = { connecting: "Connecting", live: "Live", reconnecting: "Reconnecting", off: "Not live" }[status];
  return <span class={`live live-${status}`} data-live={status} title="Changes arrive from the watch stream">{text}</span>;
}

function TopBar({ onRegion }: { onRegion: (value: string) => void }) {
  const session = currentSession();
  const { route } = useLocation();
  return (
    <header class="topbar">
      <a class="brand" href="/console/">DirectConnect</a>
      <label class="region">
        <span>Region</span>
        <select value={region()} onChange={(e) => onRegion((e.target as HTMLSelectElement).value)}>
          {consoleSettings().regions.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      </label>
      <LiveIndicator />
      {session ? (
        <span class="who" data-account={session.account}>
          {session.account} · {session.roles.join(", ")}
          <button
            type="button"
            class="link"
            onClick={() => {
              stopWatch();
              signOut();
              route("/console/sign-in");
            }}
          >
            Sign out
          </button>
        </span>
      ) : null}
    </header>
  );
}

function Home() {
  const { route } = useLocation();
  useEffect(() => route(isOperator() ? "/console/operations/review" : "/console/physical-connections", true), []);
  return null;
}

function NotFound() {
  return (
    <section class="page">
      <h1>Not found</h1>
      <p>There is no console page here. <a href="/console/">Go to the start.</a></p>
    </section>
  );
}

function Shell() {
  const { path, route } = useLocation();
  const [, setRegionState] = useState(region());
  const signedIn = currentSession() !== null;
  const open = path === "/console/sign-in" || path === "/console/signin-callback";
  useEffect(() => {
    if (!signedIn && !open) {
      route("/console/sign-in", true);
    } else if (signedIn) {
      startWatch();
    }
  }, [signedIn, open]);
  if (open) {
    return (
      <main id="main" class="signin-main">
        <Router>
          <Route path="/console/sign-in" component={SignIn} />
          <Route path="/console/signin-callback" component={SignInCallback} />
        </Router>
      </main>
    );
  }
  if (!signedIn) {
    return null;
  }
  return (
    <div class="layout" key={region()}>
      <a class="skip" href="#main">Skip to content</a>
      <TopBar
        onRegion={(value) => {
          setRegion(value);
          setRegionState(value);
          startWatch();
        }}
      />
      <Navigation />
      <main id="main" tabIndex={-1}>
        <Router>
          <Route path="/console/" component={Home} />
          <Route path="/console/physical-connections" component={PhysicalConnectionList} />
          <Route path="/console/physical-connections/new" component={PhysicalConnectionCreate} />
          <Route path="/console/physical-connections/:id" component={PhysicalConnectionDetail} />
          <Route path="/console/hosted-connections" component={HostedConnectionList} />
          <Route path="/console/hosted-connections/new" component={HostedConnectionAllocate} />
          <Route path="/console/hosted-connections/:id" component={HostedConnectionDetail} />
          <Route path="/console/operations/partners" component={PartnerList} />
          <Route path="/console/virtual-interfaces" component={VirtualInterfaceList} />
          <Route path="/console/virtual-interfaces/new" component={VirtualInterfaceCreate} />
          <Route path="/console/virtual-interfaces/:id" component={VirtualInterfaceDetail} />
          <Route path="/console/border-gateways" component={BorderGatewayList} />
          <Route path="/console/border-gateways/new" component={BorderGatewayCreate} />
          <Route path="/console/border-gateways/:id" component={BorderGatewayDetail} />
          <Route path="/console/vpcs" component={VpcList} />
          <Route path="/console/vpcs/new" component={VpcCreate} />
          <Route path="/console/vpcs/:id" component={VpcDetail} />
          <Route path="/console/topology" component={Topology} />
          <Route path="/console/operations/:stage" component={OperationsQueue} />
          <Route path="/console/inventory/locations" component={LocationList} />
          <Route path="/console/inventory/locations/:id" component={LocationDetail} />
          <Route path="/console/inventory/access-devices/:id" component={AccessDeviceDetail} />
          <Route path="/console/inventory/routers" component={RouterList} />
          <Route path="/console/inventory/routers/:id" component={RouterDetail} />
          <Route default component={NotFound} />
        </Router>
      </main>
    </div>
  );
}

async function start() {
  const root = document.getElementById("app")!;
  try {
    const settings = await loadSettings();
    if (!settings.regions.includes(region())) {
      setRegion(settings.regions[0] ?? "");
    }
  } catch (error) {
    render(<p role="alert">{String(error)}</p>, root);
    return;
  }
  root.textContent = "";
  render(
    <LocationProvider scope="/console">
      <Shell />
    </LocationProvider>,
    root,
  );
}

void start();
