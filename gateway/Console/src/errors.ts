// The API's errors as the console shows them: a google.rpc.Status with its details (ErrorInfo, BadRequest,
// PreconditionFailure, QuotaFailure, RetryInfo), read from the gRPC-Web trailers by Connect.
import { Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  PreconditionFailureSchema,
  QuotaFailureSchema,
  RetryInfoSchema,
} from "@directconnect/sdk";

export interface Problem {
  code: string;
  reason: string;
  message: string;
  fields: { field: string; description: string }[];
  blockers: { type: string; subject: string; description: string }[];
  quotas: { subject: string; description: string }[];
  retryAfterSeconds?: number;
}

export function problemOf(error: unknown): Problem {
  const e = ConnectError.from(error);
  const info = e.findDetails(ErrorInfoSchema)[0];
  const retry = e.findDetails(RetryInfoSchema)[0];
  return {
    code: Code[e.code] ?? String(e.code),
    reason: info?.reason ?? "",
    message: e.rawMessage,
    fields: e.findDetails(BadRequestSchema).flatMap((b) =>
      b.fieldViolations.map((v) => ({ field: v.field, description: v.description })),
    ),
    blockers: e.findDetails(PreconditionFailureSchema).flatMap((p) =>
      p.violations.map((v) => ({ type: v.type, subject: v.subject, description: v.description })),
    ),
    quotas: e.findDetails(QuotaFailureSchema).flatMap((q) =>
      q.violations.map((v) => ({ subject: v.subject, description: v.description })),
    ),
    retryAfterSeconds: retry?.retryDelay ? Number(retry.retryDelay.seconds) : undefined,
  };
}

export function isUnauthenticated(error: unknown): boolean {
  return ConnectError.from(error).code === Code.Unauthenticated;
}

/** The violations that name `field` or a part of it (`bgp` takes `bgp.customer_asn`, `idc_prefixes` takes `idc_prefixes[1]`). */
export function violationsOf(problem: Problem | null | undefined, field: string): string[] {
  if (!problem) {
    return [];
  }
  return problem.fields
    .filter((v) => v.field === field || v.field.startsWith(field + ".") || v.field.startsWith(field + "["))
    .map((v) => v.description);
}
