/** OpenAPI paths of Temporal's codec-server convention (src/server/routes/codec.ts), when the endpoint is on. */

type Json = Record<string, unknown>;

const base64 = { type: 'string', contentEncoding: 'base64' };
const payloads: Json = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'object', properties: { metadata: { type: 'object', additionalProperties: base64 }, data: base64 } },
    },
  },
};

export function codecPaths(problemResponse: (description: string) => Json): Json {
  const operation = (op: 'encode' | 'decode', summary: string): Json => ({
    post: {
      operationId: `codec${op[0]!.toUpperCase()}${op.slice(1)}`,
      summary,
      description:
        "Temporal's codec-server convention: `{ payloads }` in and out, bytes in base64. Needs `Authorization: Bearer` with FLYWHEEL_CODEC_TOKEN, " +
        "or with an operator's SSO access token (a JWT the Web UI forwards, checked against FLYWHEEL_CODEC_JWKS_URL, issuer, audience and allow-list); " +
        '`flywheel dev` also admits its own Web UI from this machine without a token. Browsers from FLYWHEEL_CODEC_ORIGINS (the Temporal Web UI) get CORS. ' +
        'Payloads not encrypted by Flywheel pass through unchanged.',
      security: [{ codecToken: [] }],
      parameters: [{ name: 'X-Namespace', in: 'header', required: false, schema: { type: 'string' }, description: 'Sent by the Web UI; every namespace uses the same keys' }],
      requestBody: { required: true, content: { 'application/json': { schema: payloads } } },
      responses: {
        '200': { description: 'The payloads, in the same order', content: { 'application/json': { schema: payloads } } },
        '400': problemResponse('Not a payload list, or a payload encrypted with a key this server does not hold (listed in `errors`)'),
        '401': problemResponse('Missing or wrong bearer token, or an operator token that is not valid (the reason is in `detail`)'),
        '403': problemResponse('A valid operator token whose subject and groups are not on the allow-list'),
      },
    },
    options: {
      operationId: `codec${op[0]!.toUpperCase()}${op.slice(1)}Preflight`,
      summary: 'CORS preflight for the Web UI',
      description: 'Answers the browser preflight of an origin in FLYWHEEL_CODEC_ORIGINS with the allowed methods and headers; other origins get no CORS headers.',
      security: [],
      responses: { '204': { description: 'Allowed methods and headers' } },
    },
  });
  return {
    '/v1/codec/decode': operation('decode', 'Decrypt payloads for an operator (the Temporal Web UI or CLI)'),
    '/v1/codec/encode': operation('encode', 'Encrypt payloads as the workers do'),
  };
}
