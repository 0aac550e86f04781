// What the end-to-end tests share: their settings from the environment, the bearer token on every
// call, and the assertion that a call fails with a given code.
import assert from "node:assert/strict";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** The environment variable `name`, which the test's header documents; missing, the test stops. */
export function required(name: string, test: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set (see the header of ${test})`);
  }
  return value;
}

/** Sends `token` in the `authorization` header of every call, as gRPC metadata or an HTTP header alike. */
export function bearer(token: string): Interceptor {
  return (next) => async (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return await next(req);
  };
}

/** Runs `call`, which must fail with `code`, and returns the ConnectError. */
export async function rejects(code: Code, call: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await call();
  } catch (error) {
    const connectError = ConnectError.from(error);
    assert.equal(Code[connectError.code], Code[code], `expected ${Code[code]}, got: ${connectError.message}`);
    return connectError;
  }
  assert.fail(`expected ${Code[code]}, but the call succeeded`);
}
