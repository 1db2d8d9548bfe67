import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, parsePayloadKeys, payloadCodecFromEnvironment } from '../../../src/temporal/payloadCodec.ts';

const b64key = () => randomBytes(32).toString('base64');
const text = (u?: Uint8Array | null) => Buffer.from(u ?? new Uint8Array()).toString('utf8');
const lead = { email: 'jana.weber@shopco.example', phone: '+49 30 1234567' };

describe('EncryptionCodec', () => {
  it('encrypts a payload so none of its content is readable, and decrypts it back exactly', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(`k1:${b64key()}`));
    const plain = defaultPayloadConverter.toPayload(lead);
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(text(sealed!.data)).not.toContain('shopco');
    expect(text(sealed!.data)).not.toContain('json/plain');
    const [back] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(back!)).toEqual(lead);
    expect(text(back!.metadata!.encoding)).toBe('json/plain');
  });

  it('uses a fresh IV each time: the same value never encrypts to the same bytes', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(`k1:${b64key()}`));
    const p = defaultPayloadConverter.toPayload(lead);
    const [a, b] = await codec.encode([p, p]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes an unencrypted payload through, so histories from before encryption still decode', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(`k1:${b64key()}`));
    const plain = defaultPayloadConverter.toPayload(lead);
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('rotates: the first key encrypts, an older key still decrypts what it wrote', async () => {
    const oldKey = b64key();
    const before = new EncryptionCodec(parsePayloadKeys(`2026-01:${oldKey}`));
    const [old] = await before.encode([defaultPayloadConverter.toPayload(lead)]);
    const after = new EncryptionCodec(parsePayloadKeys(`2026-12:${b64key()}, 2026-01:${oldKey}`));
    expect(defaultPayloadConverter.fromPayload((await after.decode([old!]))[0]!)).toEqual(lead);
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload(lead)]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe('2026-12');
  });

  it('refuses a payload whose key it does not hold, naming the key id and never a key', async () => {
    const key = b64key();
    const [sealed] = await new EncryptionCodec(parsePayloadKeys(`gone:${key}`)).encode([defaultPayloadConverter.toPayload(lead)]);
    const other = new EncryptionCodec(parsePayloadKeys(`k1:${b64key()}`));
    const err = await other.decode([sealed!]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('"gone"');
    expect((err as Error).message).toContain('FLYWHEEL_PAYLOAD_KEYS');
    expect((err as Error).message).not.toContain(key);
  });

  it('refuses tampered bytes (GCM authentication) instead of returning garbage', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(`k1:${b64key()}`));
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(lead)]);
    const bytes = Buffer.from(sealed!.data!);
    bytes[20] = bytes[20]! ^ 0xff;
    await expect(codec.decode([{ ...sealed!, data: bytes }])).rejects.toThrow(/auth/i);
    await expect(codec.decode([{ ...sealed!, data: bytes.subarray(0, 10) }])).rejects.toThrow(/too short/);
  });
});

describe('FLYWHEEL_PAYLOAD_KEYS', () => {
  it('is off when unset or blank', () => {
    expect(payloadCodecFromEnvironment({})).toBeUndefined();
    expect(payloadCodecFromEnvironment({ FLYWHEEL_PAYLOAD_KEYS: '  ' })).toBeUndefined();
    expect(payloadCodecFromEnvironment({ FLYWHEEL_PAYLOAD_KEYS: `k1:${b64key()}` })).toBeInstanceOf(EncryptionCodec);
  });

  it.each([
    ['k1', 'entry 1: expected id:base64key'],
    [':abc', 'entry 1: expected id:base64key'],
    ['bad id:AAAA', 'entry 1: expected id:base64key'],
    [`k1:${randomBytes(16).toString('base64')}`, 'entry 1 (id k1): the key must be 32 bytes'],
    ['k1:not base64 at all!', 'entry 1 (id k1): the key must be 32 bytes'],
  ])('refuses %j with a message that names the entry', (raw, message) => {
    expect(() => parsePayloadKeys(raw)).toThrow(message);
  });

  it('refuses the same key id twice, and never echoes a key in an error', () => {
    const key = b64key();
    expect(() => parsePayloadKeys(`a:${key},a:${b64key()}`)).toThrow('key id a appears twice');
    let message = '';
    try {
      parsePayloadKeys(`ok:${key},second:${key.slice(0, 20)}`);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('entry 2 (id second)');
    expect(message).not.toContain(key.slice(0, 20));
  });
});
