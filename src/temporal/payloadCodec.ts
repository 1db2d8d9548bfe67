import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
// A CommonJS module: Node's ESM loader sees only its default export (vitest would also accept a named import).
import proto from '@temporalio/proto';

/** Metadata of an encrypted payload: the same names Temporal's encryption samples use, so its tools recognise them. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const PAYLOAD_KEYS_ENV = 'FLYWHEEL_PAYLOAD_KEYS';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ProtoPayload = proto.temporal.api.common.v1.Payload;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/**
 * Encrypts every payload Temporal stores (workflow inputs, signals, activity arguments and results, query answers)
 * with AES-256-GCM, so a lead's e-mail or phone never sits in clear text in a workflow history. The first key
 * encrypts; every key decrypts, found by the key id each payload carries, so keys rotate by putting the new one
 * first and keeping the old ones until the histories written with them are gone. A payload without the encrypted
 * encoding passes through unchanged: histories written before encryption was switched on still replay.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: PayloadKey;

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new ValueError('EncryptionCodec needs at least one key');
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const sealed = Buffer.concat([iv, cipher.update(ProtoPayload.encode(p).finish()), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: encoder.encode(this.current.id) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (!p.metadata?.encoding || decoder.decode(p.metadata.encoding) !== ENCRYPTED_ENCODING) return p;
      const keyId = p.metadata[KEY_ID_METADATA] ? decoder.decode(p.metadata[KEY_ID_METADATA]) : '';
      const key = this.byId.get(keyId);
      // Deterministic: retrying cannot help, so the error names what is missing (never the key material).
      if (!key) throw new ValueError(`payload encrypted with key id ${JSON.stringify(keyId)}, which ${PAYLOAD_KEYS_ENV} does not hold`);
      const sealed = Buffer.from(p.data ?? new Uint8Array());
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new ValueError(`encrypted payload (key id ${JSON.stringify(keyId)}) is too short`);
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      return ProtoPayload.decode(plain) as Payload;
    });
  }
}

/**
 * `FLYWHEEL_PAYLOAD_KEYS`: comma-separated `id:key` pairs, each key 32 bytes in base64 (`openssl rand -base64 32`),
 * the encrypting key first. Errors name the entry by position and id, never the key.
 */
export function parsePayloadKeys(raw: string): PayloadKey[] {
  const keys = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const colon = entry.indexOf(':');
      const id = colon > 0 ? entry.slice(0, colon).trim() : '';
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new ValueError(`${PAYLOAD_KEYS_ENV} entry ${i + 1}: expected id:base64key with an id of letters, digits, '.', '_' or '-'`);
      const b64 = entry.slice(colon + 1).trim();
      const key = Buffer.from(b64, 'base64');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || key.length !== KEY_BYTES) throw new ValueError(`${PAYLOAD_KEYS_ENV} entry ${i + 1} (id ${id}): the key must be ${KEY_BYTES} bytes in base64`);
      return { id, key };
    });
  const ids = keys.map((k) => k.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new ValueError(`${PAYLOAD_KEYS_ENV}: key id ${dup} appears twice`);
  return keys;
}

/** The codec the environment configures, or undefined when payloads are stored unencrypted. */
export function payloadCodecFromEnvironment(env: NodeJS.ProcessEnv = process.env): EncryptionCodec | undefined {
  const raw = env[PAYLOAD_KEYS_ENV]?.trim();
  return raw ? new EncryptionCodec(parsePayloadKeys(raw)) : undefined;
}
