// Who is signed in: a bearer token kept in this tab's sessionStorage only (never a cookie, never in a URL),
// with the account and roles read from it for display. The gateway checks the token on every call.
import { UserManager, WebStorageStateStore } from "oidc-client-ts";

/** What the gateway says at /console/config.json before anyone signs in. */
export interface ConsoleSettings {
  signIn: "development" | "oidc" | "token";
  authority?: string;
  clientId?: string;
  scope?: string;
  regions: string[];
}

export interface Session {
  token: string;
  account: string;
  roles: string[];
  expiresAt: number;
}

const key = "directconnect.session";
let settings: ConsoleSettings = { signIn: "token", regions: ["cn-north-1"] };
let oidc: UserManager | null = null;

export async function loadSettings(): Promise<ConsoleSettings> {
  const response = await fetch("/console/config.json", { headers: { accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`The gateway did not give the console its settings (HTTP ${response.status}).`);
  }
  settings = (await response.json()) as ConsoleSettings;
  if (settings.signIn === "oidc" && settings.authority && settings.clientId) {
    oidc = new UserManager({
      authority: settings.authority,
      client_id: settings.clientId,
      redirect_uri: `${location.origin}/console/signin-callback`,
      post_logout_redirect_uri: `${location.origin}/console/`,
      response_type: "code",
      scope: settings.scope ?? "openid profile",
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
      stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    });
  }
  return settings;
}

export function consoleSettings(): ConsoleSettings {
  return settings;
}

/** The claims the console shows; the gateway reads the same ones (account, roles). */
function fromToken(token: string): Session {
  const payload = token.split(".")[1] ?? "";
  const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
  const roles = json.roles;
  return {
    token,
    account: typeof json.account === "string" ? json.account : "",
    roles: Array.isArray(roles) ? roles.map(String) : typeof roles === "string" ? [roles] : [],
    expiresAt: typeof json.exp === "number" ? json.exp * 1000 : Date.now() + 3600_000,
  };
}

export function currentSession(): Session | null {
  const stored = sessionStorage.getItem(key);
  if (!stored) {
    return null;
  }
  const session = JSON.parse(stored) as Session;
  if (session.expiresAt <= Date.now()) {
    sessionStorage.removeItem(key);
    return null;
  }
  return session;
}

export function isOperator(): boolean {
  return currentSession()?.roles.includes("operator") ?? false;
}

/** A Direct Connect partner: allocates hosted connections on its lines (its account must be registered by an operator). */
export function isPartner(): boolean {
  return currentSession()?.roles.includes("partner") ?? false;
}

function keep(token: string): Session {
  const session = fromToken(token);
  sessionStorage.setItem(key, JSON.stringify(session));
  return session;
}

export interface SignInProblem {
  message: string;
  fields: Record<string, string>;
}

/** The embedded default's development sign-in: a token for any account and role, from loopback only. */
export async function developmentSignIn(account: string, role: string): Promise<Session | SignInProblem> {
  const response = await fetch("/console/dev-sign-in", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ account, role }),
  });
  const body = (await response.json()) as {
    token?: string;
    message?: string;
    fieldViolations?: { field: string; description: string }[];
  };
  if (!response.ok || !body.token) {
    const fields: Record<string, string> = {};
    for (const v of body.fieldViolations ?? []) {
      fields[v.field] = v.description;
    }
    return { message: body.message ?? `Sign-in failed (HTTP ${response.status}).`, fields };
  }
  return keep(body.token);
}

/** A token pasted by someone who got one elsewhere (`dotnet run --project gateway -- token …`). */
export function tokenSignIn(token: string): Session | SignInProblem {
  try {
    return keep(token.trim());
  } catch {
    return { message: "That is not a bearer token (a JWT).", fields: { token: "is not a JWT" } };
  }
}

export async function oidcSignIn(): Promise<void> {
  await oidc?.signinRedirect();
}

/** The authority redirected back with a code: exchange it (PKCE), keep the access token, and drop the code from the address bar. */
export async function completeOidcSignIn(): Promise<Session | null> {
  if (!oidc) {
    return null;
  }
  const user = await oidc.signinRedirectCallback();
  history.replaceState(null, "", "/console/");
  return keep(user.access_token);
}

export function signOut(): void {
  sessionStorage.removeItem(key);
  void oidc?.removeUser();
}
