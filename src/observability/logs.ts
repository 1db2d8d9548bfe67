import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger as PinoLogger } from 'pino';
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { PERSONAL_KEYS } from '../ledger/personalData.ts';
import { accountWorkflowId, leadWorkflowId } from '../../workflows/definitions.ts';

export type Logger = PinoLogger;

/** What a redacted value reads as in a log line. */
export const REDACTED = '[redacted]';

/**
 * Keys whose values never reach a log line, wherever they appear (headers, error details, workflow log meta): the
 * ledger's personal keys (one list, src/ledger/personalData.ts) plus a person's name and every secret-bearing key.
 * Matched case-insensitively, so `Authorization` and `authorization` are one key.
 */
export const REDACTED_KEYS: ReadonlySet<string> = new Set(
  [
    ...PERSONAL_KEYS,
    'name',
    'authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'x-flywheel-signature',
    'x-hubspot-signature',
    'x-hubspot-signature-v3',
    'x-api-key',
    'apiKey',
    'token',
    'accessToken',
    'refreshToken',
    'clientSecret',
    'secret',
    'password',
    // Temporal's activity task token completes the activity on anyone's behalf.
    'taskToken',
  ].map((k) => k.toLowerCase()),
);

// An e-mail address inside free text (an error message quoting a field, a CRM's answer): masked like a field.
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

/** A copy of `value` with redacted keys masked and e-mail addresses in strings masked; cycles and depth are bounded. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return value.replace(EMAIL, REDACTED);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8 || seen.has(value)) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  // Class instances other than errors (fastify's request and reply) are left to the logger's serializers, which
  // keep only method, url and status of them.
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!(value instanceof Error) && proto !== Object.prototype && proto !== null) return value;
  // Errors keep their class (pino's serializer names it), type, message, stack and cause, scrubbed: those
  // properties are not enumerable, so they are copied by name.
  const error = value instanceof Error;
  const source: Record<string, unknown> = error ? { ...value, type: value.name, message: value.message, stack: value.stack, cause: value.cause } : (value as Record<string, unknown>);
  const out: Record<string, unknown> = error ? (Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(source)) {
    if (v !== undefined) out[k] = REDACTED_KEYS.has(k.toLowerCase()) ? REDACTED : redact(v, depth + 1, seen);
  }
  return out;
}

export interface LoggerOptions {
  /** A file to append JSON lines to (its folder is created); default: standard output. */
  file?: string;
  /** Default: FLYWHEEL_LOG_LEVEL, else info. */
  level?: string;
  /** Bound to every line, e.g. { process: 'worker' }. */
  base?: Record<string, unknown>;
}

/**
 * Flywheel's JSON logger (pino): one object per line with level, time, msg and the bound fields. Every line's
 * fields and every string argument pass through `redact`, so a caller cannot leak a secret or a person by accident.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  if (opts.file) mkdirSync(path.dirname(opts.file), { recursive: true });
  // Standard output is written synchronously (pino's default there), so a process's last lines survive its exit;
  // a file, only dev's, is buffered and flushed when the stack stops.
  const destination = pino.destination({ dest: opts.file ?? 1, sync: !opts.file });
  return pino(
    {
      level: opts.level ?? process.env.FLYWHEEL_LOG_LEVEL ?? 'info',
      base: { pid: process.pid, ...opts.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: (obj) => redact(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? (redact(a) as string) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

const SDK_LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal SDK's logger (Runtime.install({ logger })) writing to a pino logger: workflow, activity, worker and
 * core lines become JSON with the SDK's meta (workflowId, runId, activityType, taskQueue, sdkComponent) as fields,
 * plus the lead or account id a workflow id names.
 */
export class PinoSdkLogger implements SdkLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.logger[SDK_LEVELS[level] ?? 'info']({ ...entityOf(meta?.workflowId), ...meta }, message);
  }
  trace = (message: string, meta?: LogMetadata) => this.log('TRACE', message, meta);
  debug = (message: string, meta?: LogMetadata) => this.log('DEBUG', message, meta);
  info = (message: string, meta?: LogMetadata) => this.log('INFO', message, meta);
  warn = (message: string, meta?: LogMetadata) => this.log('WARN', message, meta);
  error = (message: string, meta?: LogMetadata) => this.log('ERROR', message, meta);
}

const LEAD_PREFIX = leadWorkflowId('');
const ACCOUNT_PREFIX = accountWorkflowId('');

/** The lead or account a workflow id names (workflows/definitions.ts builds them), as log fields. */
export function entityOf(workflowId: unknown): { leadId?: string; accountId?: string } {
  if (typeof workflowId !== 'string') return {};
  if (workflowId.startsWith(LEAD_PREFIX)) return { leadId: workflowId.slice(LEAD_PREFIX.length) };
  if (workflowId.startsWith(ACCOUNT_PREFIX)) return { accountId: workflowId.slice(ACCOUNT_PREFIX.length) };
  return {};
}
