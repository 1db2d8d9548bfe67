import type { PayloadCodec } from '@temporalio/common';
import { codecEndpointFromEnvironment, codecOriginsFromEnvironment, type CodecEndpointOptions } from '../server/routes/codec.ts';

/**
 * `flywheel dev` with payload encryption on: the dev server's Web UI is started with `--ui-codec-endpoint` pointing
 * at the dev API's /v1/codec, so it shows decoded payloads at once. That UI can send no bearer token (Temporal's UI
 * forwards only an SSO access token), so the codec routes admit its loopback origins, from this machine only, without
 * one. A local-only convenience: `flywheel serve` never does this.
 */

/** Hosts a browser on this machine may use for a server bound to a loopback or wildcard address. */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];
const LOCAL_BINDS = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::']);

/** The URL the dev UI's browser calls, e.g. http://127.0.0.1:8787/v1/codec. */
export function devCodecUrl(apiHost: string, apiPort: number): string {
  const host = LOCAL_BINDS.has(apiHost) ? '127.0.0.1' : apiHost.includes(':') ? `[${apiHost}]` : apiHost;
  return `http://${host}:${apiPort}/v1/codec`;
}

/** The origins the dev UI (at `uiUrl`) has in a browser on this machine; none when it is not on a local address. */
export function devUiOrigins(uiUrl: string | undefined): string[] {
  if (!uiUrl || !URL.canParse(uiUrl)) return [];
  const { hostname, port } = new URL(uiUrl);
  return LOCAL_BINDS.has(hostname.replace(/^\[|\]$/g, '')) ? LOOPBACK_HOSTS.map((h) => `http://${h}:${port}`) : [];
}

/** The dev stack's codec endpoint: on whenever payloads are encrypted; what the environment sets (token, SSO, origins) still works. */
export function devCodecEndpoint(codec: PayloadCodec | undefined, uiOrigins: string[], env: NodeJS.ProcessEnv = process.env): CodecEndpointOptions | undefined {
  if (!codec) return undefined;
  return { ...(codecEndpointFromEnvironment(codec, env) ?? { codec, origins: codecOriginsFromEnvironment(env) }), devUiOrigins: uiOrigins };
}
