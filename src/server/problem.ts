import type { FastifyReply } from 'fastify';

/** One invalid field, located by JSON pointer into the request body (RFC 6901). */
export interface FieldError {
  pointer: string;
  detail: string;
}

/** RFC 9457 problem details. `type` points at a page this server serves, so a client can look it up. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_TYPES = {
  'validation-error': 'Request is not valid',
  'bad-request': 'Request could not be read',
  'uri-too-long': 'Request URI too long',
  'header-fields-too-large': 'Request header fields too large',
  'request-timeout': 'Request not received in time',
  'undeliverable-event': 'Temporal cannot carry the event',
  'payload-too-large': 'Request body too large',
  'unsupported-media-type': 'Unsupported media type',
  unauthorized: 'Missing or invalid signature',
  forbidden: 'Request refused',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  'temporal-unavailable': 'Temporal did not accept the request',
  'crm-unavailable': 'The CRM did not answer',
  'ledger-unavailable': 'The ledger did not answer',
  'internal-error': 'Internal error',
} as const;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export function problem(slug: ProblemSlug, status: number, extra: Partial<Problem> = {}): Problem {
  return { type: `/problems/${slug}`, title: PROBLEM_TYPES[slug], status, ...extra };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}
