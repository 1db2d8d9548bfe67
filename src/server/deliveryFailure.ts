import { ValueError } from '@temporalio/common';

/**
 * Why Temporal did not take an event, as the API must answer it:
 * - `caller`: the event itself cannot be carried (the payload converter refused it, the server called a field
 *   invalid): 422, and a retry of the same request fails the same way.
 * - `unavailable`: Temporal could not be reached or did not answer in time: 503 with Retry-After.
 * - `internal`: anything else (misconfiguration, a bug): 500; the operator has to look.
 */
export type DeliveryFailureKind = 'caller' | 'unavailable' | 'internal';

// gRPC status codes (grpc/status.proto) as the Temporal client reports them.
const INVALID_ARGUMENT = 3;
const INTERNAL = 13;
// Transport trouble surfaces as any of these: no connection, a deadline, a dropped stream, a throttled server.
const TRANSIENT = new Set([1 /* CANCELLED */, 2 /* UNKNOWN */, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, INTERNAL, 14 /* UNAVAILABLE */]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// grpc-js puts the code in the message, "14 UNAVAILABLE: No connection established", also when only the text survives.
const GRPC_MESSAGE = /^(\d{1,2}) [A-Z_]+: /;
// The server's protobuf decoder refusing a string (a lone surrogate has no UTF-8 encoding) comes back as INTERNAL.
const BAD_STRING = /invalid UTF-8/i;

export function classifyDeliveryFailure(error: unknown): DeliveryFailureKind {
  let code: number | undefined;
  for (let e: unknown = error, hops = 0; e instanceof Error && hops < 8; e = e.cause, hops++) {
    if (e instanceof ValueError || e instanceof RangeError) return 'caller';
    if (BAD_STRING.test(e.message)) return 'caller';
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && NETWORK_CODES.has(c)) return 'unavailable';
    const grpc = typeof c === 'number' ? c : Number(GRPC_MESSAGE.exec(e.message)?.[1]);
    if (code === undefined && Number.isInteger(grpc)) code = grpc;
  }
  if (code === INVALID_ARGUMENT) return 'caller';
  if (code !== undefined && TRANSIENT.has(code)) return 'unavailable';
  return 'internal';
}
