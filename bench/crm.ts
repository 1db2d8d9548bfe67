// The CRM's side of the bench, in its own process: it signs and POSTs the events the bench process hands it. A CRM's
// HTTP client never runs inside Flywheel, so its CPU must not count as Flywheel's: signing and posting one event
// over a kept-alive socket costs this process about 1 ms of CPU per event (2 cores, 40 events/s), a twentieth of what
// a lead costs Flywheel. The floor's front door (signal-with-start) is work Flywheel's API does too, and stays in the
// bench process. Started by bench/crmClient.ts; the ingest URL and secret come in the environment, never on the
// command line. One line per message on stdin and stdout (Node's IPC channel cost the bench process a third of what
// moving the client out saved); the protocol is below.
import http from 'node:http';
import { createInterface } from 'node:readline';
import { SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from '../src/events/signature.ts';

const apiUrl = process.env.BENCH_API_URL;
const secret = process.env.BENCH_INGEST_SECRET;
if (!apiUrl || !secret) {
  process.stderr.write('bench/crm.ts runs as the bench process child (BENCH_API_URL and BENCH_INGEST_SECRET)\n');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const now = () => performance.timeOrigin + performance.now();

/** One POST over the kept-alive agent: the status and the body as text. */
function post(headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${apiUrl}/v1/events`, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// `<id>\tclock` answers `<id>\t<now>`; `<id>\t<JSON array of events>` answers `<id>\t<sent>\t<status>[\t<JSON body text>]`
// (the body only when it is not 202) or `<id>\t<sent>\terror\t<JSON message>`.
createInterface({ input: process.stdin }).on('line', (line) => {
  const [id, payload] = line.split('\t', 2) as [string, string];
  if (payload === 'clock') return void process.stdout.write(`${id}\t${now()}\n`);
  const events = JSON.parse(payload) as unknown[];
  const batch = events.length > 1;
  const body = JSON.stringify(batch ? events : events[0]);
  const ts = String(Math.floor(Date.now() / 1000));
  const type = batch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json';
  const headers = { 'content-type': type, [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: sign(secret, ts, body) };
  const sent = now();
  post(headers, body).then(
    ({ status, text }) => process.stdout.write(`${id}\t${sent}\t${status}${status === 202 ? '' : `\t${JSON.stringify(text)}`}\n`),
    (e: Error) => process.stdout.write(`${id}\t${sent}\terror\t${JSON.stringify(e.message)}\n`),
  );
});
// The bench process going away (its end of stdin closes) ends this one too.
process.stdin.on('end', () => process.exit(0));
