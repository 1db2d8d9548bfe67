import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import type { FlywheelConfig } from '../../config/types.ts';
import { CliError } from '../errors.ts';
import { printJson, printLines } from '../output.ts';

interface Answer {
  accepted?: { id: string; type: string; workflowId: string; duplicate: boolean | null }[];
  failed?: { id: string; type: string; workflowId: string }[];
  title?: string;
  detail?: string;
  errors?: { pointer: string; detail: string }[];
}

export function registerEventsCommands(program: Command): void {
  const events = program.command('events').description('Send CRM events to the ingest API, as a CRM would');

  events
    .command('send')
    .description('POST a JSON file holding one CloudEvent or an array of them to /v1/events, signed with the ingest secret when it is set')
    .argument('<file>', 'JSON file, or - for stdin')
    .option('--url <url>', 'API base URL (default: http://<server.host>:<server.port> from the config)')
    .option('--json', "print the API's answer as JSON")
    .action(async (file: string, opts: { url?: string; json?: boolean }) => {
      const loaded = loadConfig();
      const { ingestAuth } = await import('../../ingest/secrets.ts');
      const { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } = await import('../../events/signature.ts');
      const body = readInput(file);
      // The bytes sent are the bytes signed: the file is never re-serialised.
      const batch = Array.isArray(parseLocally(body, file));
      const auth = ingestAuth(loaded.config);
      const headers: Record<string, string> = { 'content-type': batch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json' };
      if (auth.secret) {
        const ts = String(Math.floor(Date.now() / 1000));
        headers[TIMESTAMP_HEADER] = ts;
        headers[SIGNATURE_HEADER] = sign(auth.secret, ts, body);
      }
      const url = new URL('/v1/events', opts.url ?? apiBase(loaded.config)).toString();
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(60_000) }).catch((e: Error) => {
        throw new CliError(`cannot reach the API at ${url}: ${(e.cause as Error | undefined)?.message ?? e.message} (is \`flywheel dev\` or \`flywheel serve\` running?)`);
      });
      const answer = (await res.json().catch(() => ({ detail: `HTTP ${res.status} without a JSON body` }))) as Answer;
      if (res.status >= 400) process.exitCode = 1;
      if (opts.json) return printJson(answer);
      if (res.status === 202) return printLines(acceptedLines(answer));
      const hint = res.status === 401 && !auth.secret ? [`  hint: ${auth.env} is not set in this shell, so the request was not signed`] : [];
      process.stderr.write(`${[...problemLines(res.status, answer), ...hint].join('\n')}\n`);
    });
}

function readInput(file: string): Buffer {
  try {
    return readFileSync(file === '-' ? 0 : file);
  } catch (e) {
    throw new CliError(`cannot read ${file === '-' ? 'stdin' : file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function parseLocally(body: Buffer, file: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new CliError(`${file === '-' ? 'stdin' : file} is not JSON: ${(e as Error).message}`, 2);
  }
}

/** The configured bind address, reachable from this machine: a wildcard bind is reached on loopback. */
export function apiBase(config: FlywheelConfig): string {
  const host = config.server?.host ?? '127.0.0.1';
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${config.server?.port ?? 8787}`;
}

function acceptedLines(a: Answer): string[] {
  const list = a.accepted ?? [];
  const dups = list.filter((e) => e.duplicate).length;
  return [
    `accepted ${list.length} event(s)${dups ? `, ${dups} already received before` : ''}`,
    ...list.map((e) => `  ${e.type.padEnd(20)} ${e.id}  -> ${e.workflowId}${e.duplicate ? '  (duplicate)' : ''}`),
  ];
}

function problemLines(status: number, p: Answer): string[] {
  const lines = [`${status} ${p.title ?? 'error'}${p.detail ? `: ${p.detail}` : ''}`];
  for (const e of p.errors ?? []) lines.push(`  ${e.pointer || '(body)'}  ${e.detail}`);
  for (const e of p.accepted ?? []) lines.push(`  accepted  ${e.id} -> ${e.workflowId}`);
  for (const e of p.failed ?? []) lines.push(`  failed    ${e.id} -> ${e.workflowId}`);
  return lines;
}
