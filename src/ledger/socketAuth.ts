import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { LedgerError } from './errors.ts';

/**
 * The embedded ledger's socket asks every connection for a password, the secret its owner wrote into the lock file
 * (readable by its owner only), before a single byte reaches PGlite. pglite-socket has no authentication (PGlite
 * answers every startup message with AuthenticationOk), so the check runs here, in front of it: SCRAM-SHA-256 as
 * PostgreSQL does it, which node-postgres speaks, so the secret itself never crosses the socket and the client can
 * tell that the server knows it too. Once a connection has proven the secret, its startup message is handed to
 * pglite-socket as if it had just arrived.
 */

/** A fresh secret for one owner's lifetime: 256 random bits, hex so it can sit in a connection URL unescaped. */
export function newSocketSecret(): string {
  return randomBytes(32).toString('hex');
}

// Like PostgreSQL's default. The secret is random, so the count is not what keeps it safe; it only has to be valid.
const ITERATIONS = 4096;
// A connection must authenticate within this; one that stalls would otherwise hold a slot for good.
const HANDSHAKE_MS = 10_000;
// Startup and SASL messages are tiny; anything larger is not a PostgreSQL client.
const MAX_HANDSHAKE_MESSAGE = 10_000;

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const MECHANISM = 'SCRAM-SHA-256';

/** pglite-socket 0.2's internals we hook into; checked at start, so a version without them fails loudly. */
interface SocketServerInternals {
  server: Server | null;
  handleConnection(socket: Socket): Promise<void>;
}

export interface SocketAuth {
  /** Ends connections still authenticating (pglite-socket's stop() waits for every open connection). */
  close(): void;
}

/**
 * Puts the password check between the started server's listening socket and pglite-socket. Call right after
 * `start()` resolves: connections are dispatched in later event-loop turns, so none can slip past.
 */
export function requireSecret(server: PGLiteSocketServer, secret: string): SocketAuth {
  const inner = server as unknown as SocketServerInternals;
  const listening = inner.server;
  if (!listening || typeof inner.handleConnection !== 'function') {
    throw new LedgerError('this version of pglite-socket cannot be given a password check; the ledger socket stays closed');
  }
  const verifier = scramVerifier(secret);
  const pending = new Set<Socket>();
  listening.removeAllListeners('connection');
  listening.on('connection', (socket: Socket) => {
    pending.add(socket);
    authenticate(socket, verifier, (handover) => {
      pending.delete(socket);
      if (!handover) return;
      // Paused with the startup message put back: pglite-socket's handler attaches its listener synchronously
      // inside handleConnection, and reads the message first once the socket resumes.
      socket.unshift(handover);
      void inner.handleConnection(socket);
      socket.resume();
    });
  });
  return {
    close() {
      for (const s of pending) s.destroy();
      pending.clear();
    },
  };
}

interface Verifier {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

function scramVerifier(secret: string): Verifier {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(secret, salt, ITERATIONS, 32, 'sha256');
  return { salt, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

type Stage = { at: 'startup' } | { at: 'initial'; startup: Buffer } | { at: 'final'; startup: Buffer; clientFirstBare: string; serverFirst: string; nonce: string; binding: string };

/** Runs one connection's handshake; `done` gets the bytes to hand to pglite-socket, or null if it was refused. */
function authenticate(socket: Socket, v: Verifier, done: (handover: Buffer | null) => void): void {
  let buffer = Buffer.alloc(0);
  let stage: Stage = { at: 'startup' };
  let finished = false;
  const finish = (handover: Buffer | null) => {
    finished = true;
    clearTimeout(timer);
    socket.pause();
    socket.removeListener('data', onData);
    socket.removeListener('error', onGone);
    socket.removeListener('close', onGone);
    done(handover);
  };
  /** Says why (pg shows it as "password authentication failed", SQLSTATE 28P01) and hangs up. */
  const refuse = (message: string): false => {
    if (!finished) {
      finish(null);
      // A reset while the answer drains must not become an unhandled 'error' event.
      socket.on('error', () => socket.destroy());
      socket.end(errorResponse(message), () => socket.destroy());
    }
    return false;
  };
  const onGone = () => {
    if (!finished) finish(null);
    socket.destroy();
  };
  const timer = setTimeout(() => refuse('authentication timed out'), HANDSHAKE_MS);
  timer.unref();

  const step = (): boolean => {
    if (stage.at === 'startup') {
      if (buffer.length < 8) return false;
      const length = buffer.readInt32BE(0);
      const code = buffer.readInt32BE(4);
      if (length < 8 || length > MAX_HANDSHAKE_MESSAGE) return refuse('invalid startup packet');
      if (length === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) {
        // No TLS or GSS: the client goes on in plain text on the same connection.
        socket.write('N');
        buffer = buffer.subarray(8);
        return true;
      }
      if (code !== PROTOCOL_3) return refuse('unsupported protocol or request');
      if (buffer.length < length) return false;
      stage = { at: 'initial', startup: Buffer.from(buffer.subarray(0, length)) };
      buffer = buffer.subarray(length);
      socket.write(authMessage(10, Buffer.from(`${MECHANISM}\0\0`)));
      return true;
    }
    // Every later handshake message is a password message: 'p', then a length that counts itself.
    if (buffer.length < 5) return false;
    const length = buffer.readInt32BE(1);
    if (buffer[0] !== 0x70 || length < 4 || length > MAX_HANDSHAKE_MESSAGE) return refuse('expected a SASL response');
    if (buffer.length < 1 + length) return false;
    const body = buffer.subarray(5, 1 + length);
    buffer = buffer.subarray(1 + length);
    if (stage.at === 'initial') {
      const next = serverFirst(stage.startup, body, v);
      if (!next) return refuse('password authentication failed');
      stage = next;
      socket.write(authMessage(11, Buffer.from(next.serverFirst)));
      return true;
    }
    const signature = verifyFinal(stage, body.toString('utf8'), v);
    if (!signature) return refuse('password authentication failed');
    socket.write(authMessage(12, Buffer.from(`v=${signature}`)));
    finish(Buffer.concat([stage.startup, buffer]));
    return false;
  };
  const onData = (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (buffer.length > 2 * MAX_HANDSHAKE_MESSAGE) return void refuse('handshake too large');
    while (!finished && step());
  };
  socket.on('data', onData);
  socket.on('error', onGone);
  socket.on('close', onGone);
}

/** SASLInitialResponse: mechanism name, then the client-first message "n,,n=*,r=<client nonce>". */
function serverFirst(startup: Buffer, body: Buffer, v: Verifier): Extract<Stage, { at: 'final' }> | null {
  const end = body.indexOf(0);
  if (end < 0 || body.subarray(0, end).toString() !== MECHANISM || body.length < end + 5) return null;
  const message = body.subarray(end + 5).toString('utf8');
  // The GS2 header: no channel binding ('n', or 'y' when the client could bind but we offered no -PLUS).
  const header = /^([ny]),,/.exec(message);
  const clientFirstBare = header ? message.slice(header[0].length) : '';
  const clientNonce = /(?:^|,)r=([^,]+)/.exec(clientFirstBare)?.[1];
  if (!header || !clientNonce) return null;
  const nonce = clientNonce + randomBytes(18).toString('base64');
  return {
    at: 'final',
    startup,
    clientFirstBare,
    serverFirst: `r=${nonce},s=${v.salt.toString('base64')},i=${ITERATIONS}`,
    nonce,
    binding: Buffer.from(header[0]).toString('base64'),
  };
}

/** SASLResponse "c=<binding>,r=<nonce>,p=<proof>": the proof holds only if the client knows the secret. */
function verifyFinal(stage: Extract<Stage, { at: 'final' }>, message: string, v: Verifier): string | null {
  const at = message.lastIndexOf(',p=');
  if (at < 0) return null;
  const withoutProof = message.slice(0, at);
  const proof = Buffer.from(message.slice(at + 3), 'base64');
  if (withoutProof !== `c=${stage.binding},r=${stage.nonce}` || proof.length !== v.storedKey.length) return null;
  const auth = `${stage.clientFirstBare},${stage.serverFirst},${withoutProof}`;
  const clientSignature = hmac(v.storedKey, auth);
  const clientKey = Buffer.alloc(proof.length);
  for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
  if (!timingSafeEqual(sha256(clientKey), v.storedKey)) return null;
  return hmac(v.serverKey, auth).toString('base64');
}

/** An Authentication message ('R') of the given kind: 10 SASL, 11 SASLContinue, 12 SASLFinal. */
function authMessage(kind: number, data: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.write('R', 0);
  head.writeInt32BE(8 + data.length, 1);
  head.writeInt32BE(kind, 5);
  return Buffer.concat([head, data]);
}

/** A FATAL ErrorResponse with SQLSTATE 28P01 (invalid_password), as PostgreSQL sends it. */
function errorResponse(message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C28P01\0M${message}\0\0`);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
