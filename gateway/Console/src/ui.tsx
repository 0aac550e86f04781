// The console's building blocks: pages, tables, status badges, form fields that show the API's field
// violations, error boxes that link the resources blocking an action, and data loading that follows the watch.
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { type ComponentChildren, type JSX, createContext } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";
import { type Problem, isUnauthenticated, problemOf, violationsOf } from "./errors";
import { useChanges } from "./watch";

/** Where the console shows a resource, from its id's prefix. */
export function hrefOf(id: string): string | null {
  const routes: [string, string][] = [
    ["dxpc-", "/console/physical-connections/"],
    ["dxhc-", "/console/hosted-connections/"],
    ["dxvif-", "/console/virtual-interfaces/"],
    ["dxbgw-", "/console/border-gateways/"],
    ["vpc-", "/console/vpcs/"],
    ["loc-", "/console/inventory/locations/"],
    ["dxdev-", "/console/inventory/access-devices/"],
    ["rtr-", "/console/inventory/routers/"],
  ];
  const match = routes.find(([prefix]) => id.startsWith(prefix));
  return match ? match[1] + encodeURIComponent(id) : null;
}

export function IdLink({ id }: { id: string }) {
  const href = hrefOf(id);
  return href ? <a href={href} class="id">{id}</a> : <span class="id">{id}</span>;
}

/** `STATE_PENDING_PAYMENT` (or the enum's short name) as "Pending payment". */
export function humanize(name: string): string {
  if (name.startsWith("PORT_SPEED_")) {
    return name.slice("PORT_SPEED_".length); // 10G, not 10g
  }
  const text = name.replace(/^(STATE|BGP_STATUS|PORT_SPEED|ROUTER_VENDOR|NEXT_HOP_TYPE|KIND|REASON)_/, "").toLowerCase().replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The name of `value` in a generated enum (`PhysicalConnection_State`), humanized. */
export function enumText(enumObject: Record<number, string>, value: number): string {
  return humanize(enumObject[value] ?? String(value));
}

const tones: Record<string, string> = {
  available: "ok", attached: "ok", up: "ok", active: "ok", reachable: "ok",
  applying: "wait", "pending payment": "wait", "under construction": "wait", "awaiting confirmation": "wait",
  creating: "wait", configuring: "wait", attaching: "wait", deleting: "wait", connect: "wait", pending: "wait",
  rejected: "bad", refused: "bad", down: "bad", blackhole: "bad", failed: "bad", unreachable: "bad",
  deleted: "off", detached: "off", deregistered: "off",
};

/** A state as text and colour (the text alone says it; the colour repeats it). */
export function StatusBadge({ text, label }: { text: string; label?: string }) {
  const tone = tones[text.toLowerCase()] ?? "neutral";
  return (
    <span class={`badge badge-${tone}`} data-state={text}>
      {label ? <span class="visually-hidden">{label}: </span> : null}
      {text}
    </span>
  );
}

export function formatTime(time: Timestamp | undefined): string {
  if (!time) {
    return "—";
  }
  const date = new Date(Number(time.seconds) * 1000 + Math.floor(time.nanos / 1e6));
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function Page({ title, actions, children }: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · DirectConnect`;
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{title}</h1>
        {actions ? <div class="page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export interface Column<T> {
  header: string;
  cell: (row: T) => ComponentChildren;
}

export function Table<T>({ caption, columns, rows, empty, rowKey }: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  empty: string;
  rowKey: (row: T) => string;
}) {
  if (rows.length === 0) {
    return <p class="empty">{empty}</p>;
  }
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>{columns.map((c) => <th scope="col" key={c.header}>{c.header}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} data-id={rowKey(row)}>
              {columns.map((c) => <td key={c.header} data-column={c.header}>{c.cell(row)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Label, value pairs of a detail page. */
export function Facts({ items }: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {items.map(([label, value]) => (
        <div key={label} class="fact">
          <dt>{label}</dt>
          <dd data-fact={label}>{value ?? "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

/** An error of the API: its message and reason, the fields no form shows, and links to whatever blocks the action. */
export function ErrorBox({ problem, shownFields = [] }: { problem: Problem | null; shownFields?: string[] }) {
  if (!problem) {
    return null;
  }
  const otherFields = problem.fields.filter((f) => !shownFields.some((s) => f.field === s || f.field.startsWith(s + ".") || f.field.startsWith(s + "[")));
  return (
    <div class="error-box" role="alert" data-reason={problem.reason}>
      <p>
        <strong>{problem.message}</strong>
        {problem.reason ? <span class="reason"> ({problem.reason})</span> : null}
      </p>
      {otherFields.length > 0 ? (
        <ul>{otherFields.map((f) => <li key={f.field}><code>{f.field}</code> {f.description}</li>)}</ul>
      ) : null}
      {problem.blockers.length > 0 ? (
        <div class="blockers">
          <p>Blocked by:</p>
          <ul>
            {problem.blockers.map((b) => (
              <li key={b.subject + b.type}>
                <IdLink id={b.subject} /> — {b.description}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {problem.quotas.length > 0 ? (
        <ul>{problem.quotas.map((q) => <li key={q.subject}>{q.subject}: {q.description}</li>)}</ul>
      ) : null}
      {problem.retryAfterSeconds !== undefined ? <p>Retry in {problem.retryAfterSeconds} s.</p> : null}
    </div>
  );
}

let fieldCounter = 0;

/** The problem of the form a Field is in (ApiForm provides it), so that its fields need not each be handed it. */
export const FormProblem = createContext<Problem | null>(null);

/**
 * A labelled form field whose error is the API's violation of `name` (a proto field path), shown next to it: a
 * violation in `problem`, or if none is given, in the problem of the form the field is in (FormProblem).
 */
export function Field({ label, name, problem, hint, children }: {
  label: string;
  name: string;
  problem?: Problem | null;
  hint?: string;
  children: (props: { id: string; name: string; "aria-invalid": boolean; "aria-describedby"?: string }) => JSX.Element;
}) {
  const id = useRef(`field-${++fieldCounter}`).current;
  const formProblem = useContext(FormProblem);
  const errors = violationsOf(problem === undefined ? formProblem : problem, name);
  const described = [hint ? `${id}-hint` : "", errors.length > 0 ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class={errors.length > 0 ? "field field-invalid" : "field"} data-field={name}>
      <label for={id}>{label}</label>
      {children({ id, name, "aria-invalid": errors.length > 0, "aria-describedby": described || undefined })}
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      {errors.length > 0 ? (
        <p class="field-error" id={`${id}-error`} data-error-for={name}>{errors.join("; ")}</p>
      ) : null}
    </div>
  );
}

export interface Loaded<T> {
  data: T | null;
  problem: Problem | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load()` now and again whenever the watch reports a change of `types` (coalesced: a burst of changes
 * is one re-read). `deps` restart it. An expired sign-in sends the user back to sign in.
 */
export function useLive<T>(load: () => Promise<T>, deps: unknown[], types: string[] = []): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const timer = useRef<number | undefined>(undefined);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    load().then(
      (value) => {
        if (mine === generation.current) {
          setData(value);
          setProblem(null);
          setLoading(false);
        }
      },
      (error: unknown) => {
        if (isUnauthenticated(error)) {
          location.assign("/console/sign-in");
          return;
        }
        if (mine === generation.current) {
          setProblem(problemOf(error));
          setLoading(false);
        }
      },
    );
  }, deps);
  useEffect(() => {
    setLoading(true);
    reload();
  }, [reload]);
  const onChange = useCallback(() => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(reload, 50);
  }, [reload]);
  useChanges(types.length > 0 ? types : ["__none__"], onChange);
  return { data, problem, loading, reload };
}

/** Runs a mutation, keeping its error for the form or button that started it. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setProblem(null);
    try {
      return await action(...args);
    } catch (error) {
      if (isUnauthenticated(error)) {
        location.assign("/console/sign-in");
        return undefined;
      }
      setProblem(problemOf(error));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, [action]);
  return { run, problem, busy, setProblem };
}

export function Loading({ what }: { what: string }) {
  return <p class="loading" role="status">Loading {what}…</p>;
}

/**
 * A resource's page before its first read: its id as the title, and "Loading …" or, if it could not be read (not
 * found, not the user's), the API's refusal. Once read, the page shows it under its name.
 */
export function LoadingPage({ id, loaded, what }: { id: string; loaded: Loaded<unknown>; what: string }) {
  return <Page title={id}>{loaded.problem ? <ErrorBox problem={loaded.problem} /> : <Loading what={what} />}</Page>;
}

/**
 * The table of a list that useLive reads: the error of the last read above it, "Loading …" until the first read,
 * and no table if that failed.
 */
export function LiveTable<T>({ loaded, what, caption, columns, empty, rowKey }: {
  loaded: Loaded<T[]>;
  what: string;
  caption: string;
  columns: Column<T>[];
  empty: string;
  rowKey: (row: T) => string;
}) {
  return (
    <>
      <ErrorBox problem={loaded.problem} />
      {loaded.data === null ? (
        loaded.problem ? null : <Loading what={what} />
      ) : (
        <Table caption={caption} columns={columns} rows={loaded.data} empty={empty} rowKey={rowKey} />
      )}
    </>
  );
}

/** Copies `text` to the clipboard, saying so for screen readers too. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="secondary"
      onClick={async () => {
        await navigator.clipboard.writeText(text);
        setCopied(true);
        setTimeout(() => setCopied(false), 2000);
      }}
    >
      {copied ? "Copied" : label}
      <span class="visually-hidden" role="status">{copied ? " — copied to the clipboard" : ""}</span>
    </button>
  );
}

/**
 * A delete (or other irreversible action) in two steps: the button, then a confirmation naming the resource.
 * A refusal is shown under it, with links to what blocks it.
 */
export function ConfirmAction({ label, what, action, onDone, tone = "danger" }: {
  label: string;
  what: string;
  action: () => Promise<unknown>;
  onDone?: () => void;
  tone?: "danger" | "primary";
}) {
  const [asking, setAsking] = useState(false);
  const { run, problem, busy } = useAction(action);
  return (
    <div class="confirm-action">
      {asking ? (
        <div class="confirm" role="group" aria-label={`${label} ${what}`}>
          <span>{label} {what}?</span>
          <button
            type="button"
            class={tone}
            disabled={busy}
            onClick={async () => {
              const result = await run();
              setAsking(false);
              if (result !== undefined) {
                onDone?.();
              }
            }}
          >
            Yes, {label.toLowerCase()}
          </button>
          <button type="button" class="secondary" onClick={() => setAsking(false)}>Cancel</button>
        </div>
      ) : (
        <button type="button" class={tone} onClick={() => setAsking(true)}>{label}</button>
      )}
      <ErrorBox problem={problem} />
    </div>
  );
}
