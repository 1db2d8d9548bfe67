import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/tools/packageRoot.ts';
import { toolsDir } from '../../../src/tools/temporalBinaries.ts';

describe('toolsDir', () => {
  const own = path.join(packageRoot, '.flywheel', 'tools');

  it("is the project's own folder when FLYWHEEL_TOOLS_DIR is unset, empty or blank", () => {
    expect(toolsDir({})).toBe(own);
    expect(toolsDir({ FLYWHEEL_TOOLS_DIR: '' })).toBe(own);
    expect(toolsDir({ FLYWHEEL_TOOLS_DIR: '  ' })).toBe(own);
  });

  it('is the folder FLYWHEEL_TOOLS_DIR names', () => {
    expect(toolsDir({ FLYWHEEL_TOOLS_DIR: '/opt/flywheel-tools' })).toBe('/opt/flywheel-tools');
  });
});
