import { ServiceError } from '@temporalio/client';
import { PayloadConverterError, ValueError } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../src/ingest/temporalSink.ts';
import { classifyDeliveryFailure } from '../../../src/server/deliveryFailure.ts';

/** A gRPC error as grpc-js builds it: numeric code, details, metadata, and the code in the message. */
function grpcError(code: number, name: string, details: string): Error {
  return Object.assign(new Error(`${code} ${name}: ${details}`), { code, details, metadata: {} });
}
const wrapped = (cause: Error) => new DeliveryError([], [], { cause: new ServiceError('Unexpected error while making gRPC request', { cause }) });

describe('classifyDeliveryFailure', () => {
  it('calls Temporal unavailable only for transport trouble: connection, deadline, unavailable', () => {
    expect(classifyDeliveryFailure(wrapped(grpcError(14, 'UNAVAILABLE', 'No connection established')))).toBe('unavailable');
    expect(classifyDeliveryFailure(wrapped(grpcError(4, 'DEADLINE_EXCEEDED', 'Deadline exceeded')))).toBe('unavailable');
    expect(classifyDeliveryFailure(wrapped(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })))).toBe('unavailable');
    expect(classifyDeliveryFailure(new Error('14 UNAVAILABLE: only the text survived'))).toBe('unavailable');
  });

  it("calls it the caller's when the event cannot be encoded or the server calls it invalid", () => {
    expect(classifyDeliveryFailure(wrapped(new ValueError('Unable to convert [object Object] to payload')))).toBe('caller');
    expect(classifyDeliveryFailure(wrapped(new PayloadConverterError('no converter')))).toBe('caller');
    expect(classifyDeliveryFailure(wrapped(grpcError(3, 'INVALID_ARGUMENT', 'WorkflowId length exceeds limit.')))).toBe('caller');
    expect(classifyDeliveryFailure(wrapped(grpcError(13, 'INTERNAL', 'grpc: error unmarshalling request: string field contains invalid UTF-8')))).toBe('caller');
  });

  it('calls anything else internal (500), not a reason to retry', () => {
    expect(classifyDeliveryFailure(wrapped(grpcError(7, 'PERMISSION_DENIED', 'Request unauthorized.')))).toBe('internal');
    expect(classifyDeliveryFailure(new TypeError('x is not a function'))).toBe('internal');
  });
});
