// Sign-in: the embedded default's development sign-in (loopback only), the configured OIDC authority, or a
// pasted token on a deployment that issues its own.
import { useLocation } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import {
  type SignInProblem,
  completeOidcSignIn,
  consoleSettings,
  developmentSignIn,
  oidcSignIn,
  tokenSignIn,
} from "../session";

function FieldError({ id, text }: { id: string; text?: string }) {
  return text ? <p class="field-error" id={id}>{text}</p> : null;
}

function DevelopmentSignIn() {
  const { route } = useLocation();
  const [account, setAccount] = useState("");
  const [role, setRole] = useState("customer");
  const [problem, setProblem] = useState<SignInProblem | null>(null);
  return (
    <form
      class="card"
      onSubmit={async (e) => {
        e.preventDefault();
        const result = await developmentSignIn(account.trim(), role);
        if ("token" in result) {
          route("/console/", true);
        } else {
          setProblem(result);
        }
      }}
    >
      <p class="notice" role="note">
        <strong>Development sign-in.</strong> This gateway runs the embedded default on loopback, so it signs a
        token for whichever account and role you type, with the key in its data directory. It exists only there:
        a gateway with an OIDC authority or a configured signing key, or one listening beyond loopback, has no such
        page.
      </p>
      {problem ? <p class="error-box" role="alert">{problem.message}</p> : null}
      <div class={problem?.fields.account ? "field field-invalid" : "field"}>
        <label for="account">Account</label>
        <input
          id="account"
          name="account"
          autocomplete="username"
          value={account}
          aria-invalid={Boolean(problem?.fields.account)}
          aria-describedby={problem?.fields.account ? "account-error" : undefined}
          onInput={(e) => setAccount((e.target as HTMLInputElement).value)}
        />
        <FieldError id="account-error" text={problem?.fields.account} />
      </div>
      <div class="field">
        <label for="role">Role</label>
        <select id="role" name="role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
          <option value="customer">Customer</option>
          <option value="operator">Operator</option>
          <option value="partner">Partner</option>
        </select>
      </div>
      <button type="submit">Sign in</button>
    </form>
  );
}

function TokenSignIn() {
  const { route } = useLocation();
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<SignInProblem | null>(null);
  return (
    <form
      class="card"
      onSubmit={(e) => {
        e.preventDefault();
        const result = tokenSignIn(token);
        if ("token" in result) {
          route("/console/", true);
        } else {
          setProblem(result);
        }
      }}
    >
      <p>This gateway signs its own tokens. Paste one issued for you; it stays in this tab only.</p>
      <div class={problem ? "field field-invalid" : "field"}>
        <label for="token">Bearer token</label>
        <textarea
          id="token"
          name="token"
          rows={4}
          value={token}
          aria-invalid={Boolean(problem)}
          aria-describedby={problem ? "token-error" : undefined}
          onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)}
        />
        <FieldError id="token-error" text={problem?.fields.token} />
      </div>
      <button type="submit">Sign in</button>
    </form>
  );
}

export function SignIn() {
  const settings = consoleSettings();
  return (
    <section class="page signin" aria-labelledby="page-title">
      <h1 id="page-title">Sign in to DirectConnect</h1>
      {settings.signIn === "development" ? <DevelopmentSignIn /> : null}
      {settings.signIn === "token" ? <TokenSignIn /> : null}
      {settings.signIn === "oidc" ? (
        <div class="card">
          <p>Sign in with your organisation's identity provider ({settings.authority}).</p>
          <button type="button" onClick={() => void oidcSignIn()}>Sign in</button>
        </div>
      ) : null}
    </section>
  );
}

export function SignInCallback() {
  const { route } = useLocation();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    completeOidcSignIn().then(
      (session) => route(session ? "/console/" : "/console/sign-in", true),
      (e: unknown) => setError(String(e)),
    );
  }, []);
  return error ? <p role="alert">Sign-in failed: {error}</p> : <p role="status">Signing in…</p>;
}
