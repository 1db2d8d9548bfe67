import { createRequire } from 'node:module';
import type * as PGliteModule from '@electric-sql/pglite';
import type * as PGliteSocketModule from '@electric-sql/pglite-socket';

// PGlite's CommonJS builds, loaded through Node's own require: tsx's ESM loader (bin/flywheel.js) transforms the
// ESM build's ~1 MB of JavaScript on the way in and the process keeps ~38 MiB of RSS for it for life (measured:
// importing the ESM build adds 42 MiB under tsx and 4 MiB without it; this require adds 6 MiB). Both packages load
// from here so there is one PGlite class in the process.
const require = createRequire(import.meta.url);

export const { PGlite, protocol, parse } = require('@electric-sql/pglite') as typeof PGliteModule;
export const { PGLiteSocketServer } = require('@electric-sql/pglite-socket') as typeof PGliteSocketModule;
export type PGlite = PGliteModule.PGlite;
export type PGLiteSocketServer = PGliteSocketModule.PGLiteSocketServer;
export type { Transaction } from '@electric-sql/pglite';
