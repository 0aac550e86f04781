// What the console's forms share: the values as typed, a request id per distinct request, the form element that
// sends one request and shows the API's answer (its error box above the fields, each violation at its field), and
// reading whole numbers and lists from what was typed. The rule of every form: send what the user typed and let
// the API validate it. The console judges only what it cannot send as typed: a number field's text that is no
// whole number (see NumberFields).
import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import { requestId } from "./api";
import type { Problem } from "./errors";
import { ErrorBox, FormProblem, useAction } from "./ui";

/** A request id that stays the same while what is sent stays the same (a retry of the same click), new otherwise. */
export function useRequestId(...content: unknown[]): string {
  return useMemo(() => requestId(), [JSON.stringify(content, (_, v) => (typeof v === "bigint" ? v.toString() : v))]);
}

/**
 * A form's values as the controls hold them (text), with `bind(key)` for a text input or textarea, `set(key)` for
 * the change handler of a select, `update` for several at once, and `reset` back to `initial` (after an add, for
 * the next one). `requestId` follows the values (see useRequestId) and is new after a reset, so that adding the
 * same thing twice is two requests.
 */
export function useForm<T extends Record<string, string>>(initial: T) {
  const [values, setValues] = useState(initial);
  const [resets, setResets] = useState(0);
  const update = (changes: Partial<T>) => setValues((current) => ({ ...current, ...changes }));
  const set = (key: keyof T) => (e: Event) => update({ [key]: (e.target as HTMLInputElement).value } as Partial<T>);
  return {
    values,
    set,
    bind: (key: keyof T) => ({ value: values[key], onInput: set(key) }),
    update,
    reset: () => {
      setValues(initial);
      setResets((n) => n + 1);
    },
    requestId: useRequestId(values, resets),
  };
}

/** A repeated field as typed: one value a line, or separated by commas; blanks dropped. */
export function splitList(text: string): string[] {
  return text.split(/[\n,]/).map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * The problem with each violation of an element of the repeated field `field` (`idc_prefixes[1]`) saying which
 * line it is about, so that the field shows it as "line 2: …".
 */
export function numberLines(problem: Problem | null, field: string): Problem | null {
  if (!problem) {
    return null;
  }
  return {
    ...problem,
    fields: problem.fields.map((f) => {
      const match = f.field.startsWith(field + "[") ? /^\[(\d+)\]/.exec(f.field.slice(field.length)) : null;
      return match ? { ...f, description: `line ${Number(match[1]) + 1}: ${f.description}` } : f;
    }),
  };
}

/** A whole number as typed: empty is 0 (the API's "not set"); null when the text is not a whole number. */
export function wholeNumber(text: string): bigint | null {
  const t = text.trim();
  if (t === "") {
    return 0n;
  }
  return /^-?\d+$/.test(t) ? BigInt(t) : null;
}

/** A violation of one field, as in Problem.fields. */
interface Violation {
  field: string;
  description: string;
}

/**
 * Reads the number fields of one request from their text (int32 and int64 are the API's number types). A text
 * that is no whole number, or one too large for the field's type to carry, cannot be sent as typed: it is sent as
 * -1, which every number field of the API refuses, so that the request still goes and every other field gets the
 * API's verdict; what was wrong with the text is noted here, in words about what the user typed.
 */
export class NumberFields {
  readonly violations: Violation[] = [];

  int32(field: string, text: string): number {
    return Number(this.read(field, text, -(2n ** 31n), 2n ** 31n - 1n));
  }

  int64(field: string, text: string): bigint {
    return this.read(field, text, -(2n ** 63n), 2n ** 63n - 1n);
  }

  private read(field: string, text: string, min: bigint, max: bigint): bigint {
    const value = wholeNumber(text);
    const typed = text.trim();
    if (value === null) {
      this.violations.push({ field, description: `must be a whole number, got '${typed}'` });
      return -1n;
    }
    if (value < min || value > max) {
      this.violations.push({ field, description: `is too ${value < min ? "small" : "large"}, got '${typed}'` });
      return -1n;
    }
    return value;
  }
}

/**
 * The API's problem with the violations noted in the browser in place of the API's own at those fields: the API
 * saw -1 there, not what was typed, so its words about them ("… got -1") would mislead. Only those fields: the
 * API's verdict on every other field stands. When the API found nothing wrong but those fields, its message is
 * about them too ("Invalid virtual_interface.vlan: … got -1"), so it is replaced as well.
 */
export function withLocalViolations(problem: Problem | null, local: Violation[]): Problem | null {
  if (!problem || local.length === 0) {
    return problem;
  }
  const replaced = new Set(local.map((v) => v.field));
  const onlyThose = problem.fields.length > 0 && problem.fields.every((f) => replaced.has(f.field));
  return {
    ...problem,
    message: onlyThose ? local.map((v) => `Invalid ${v.field}: ${v.description}`).join("; ") : problem.message,
    fields: [...problem.fields.filter((f) => !replaced.has(f.field)), ...local],
  };
}

/** What a form needs of its request: to run it, whether it is under way, and the problem as the form shows it. */
export interface FormRequest<R> {
  run: () => Promise<R | undefined>;
  busy: boolean;
  problem: Problem | null;
  setProblem: (problem: Problem | null) => void;
}

/**
 * A form's request (useAction), built by `send` with the form's number fields read through `numbers`. Its problem
 * carries their local violations (see withLocalViolations), and for each repeated field of `lists` (typed one
 * element a line) says which line a violation is about (see numberLines).
 */
export function useFormRequest<R>(send: (numbers: NumberFields) => Promise<R>, lists: string[] = []): FormRequest<R> {
  const [local, setLocal] = useState<Violation[]>([]);
  const action = useAction(() => {
    const numbers = new NumberFields();
    const sent = send(numbers); // the numbers are read while the request is built, before it is sent
    setLocal(numbers.violations);
    return sent;
  });
  let problem = withLocalViolations(action.problem, local);
  for (const list of lists) {
    problem = numberLines(problem, list);
  }
  return { run: action.run, busy: action.busy, problem, setProblem: action.setProblem };
}

/** A form's submit handler: no page load; the request, and `onDone` with its result if it succeeded. */
export function submitted<R>(run: () => Promise<R | undefined>, onDone: (result: R) => void) {
  return async (e: Event) => {
    e.preventDefault();
    const result = await run();
    if (result !== undefined) {
      onDone(result);
    }
  };
}

/**
 * A form that sends one request: `noValidate` (what was typed goes to the API, whose violations show at their
 * fields), `intro` (its heading or explanation) above the error box, the box listing what the `shownFields` do not
 * show, the fields (each Field in it shows the request's problem), and — with `submit` — the form's buttons (submit,
 * and Cancel back to `cancel`); without it, a button of the children submits.
 */
export function ApiForm<R>(props: {
  class: string;
  "aria-labelledby"?: string;
  request: FormRequest<R>;
  shownFields: string[];
  onDone: (result: R) => void;
  intro?: ComponentChildren;
  submit?: string;
  cancel?: string;
  children: ComponentChildren;
}) {
  const { run, busy, problem } = props.request;
  return (
    <form class={props.class} noValidate aria-labelledby={props["aria-labelledby"]} onSubmit={submitted(run, props.onDone)}>
      {props.intro}
      <ErrorBox problem={problem} shownFields={props.shownFields} />
      <FormProblem.Provider value={problem}>{props.children}</FormProblem.Provider>
      {props.submit ? (
        <div class="form-actions">
          <button type="submit" disabled={busy}>{props.submit}</button>
          {props.cancel ? <a class="button secondary" href={props.cancel}>Cancel</a> : null}
        </div>
      ) : null}
    </form>
  );
}
