import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A key pair for the JWT bearer flow as a Salesforce admin makes one: an RSA key and a self-signed X.509
 * certificate (openssl) that is uploaded to the connected app; Flywheel signs with the key, the contract server
 * verifies against the certificate.
 */
export function jwtKeyPair(): { privateKeyPem: string; certificatePem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-sf-key-'));
  try {
    const keyFile = path.join(dir, 'server.key');
    writeFileSync(keyFile, privateKeyPem, { mode: 0o600 });
    const certificatePem = execFileSync('openssl', ['req', '-new', '-x509', '-key', keyFile, '-subj', '/CN=flywheel-contract-test', '-days', '2'], { encoding: 'utf8' });
    return { privateKeyPem, certificatePem };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
