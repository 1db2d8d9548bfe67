import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The folder holding Flywheel's package.json: tools live with the installation, not with the caller's cwd. */
export const packageRoot = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));
