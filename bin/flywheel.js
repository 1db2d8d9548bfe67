#!/usr/bin/env node
// Flywheel runs its TypeScript sources directly through tsx, so a clone needs no build step
// and the worker bundles the same workflow files that the CLI and tests load.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
