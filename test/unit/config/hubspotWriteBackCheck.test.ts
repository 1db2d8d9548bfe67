import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkConfigText } from '../../../src/config/load.ts';

// The shipped configuration ends inside `connections:`, so a connector block appended at two spaces belongs to it.
const shipped = readFileSync(new URL('../../../config/flywheel.yaml', import.meta.url), 'utf8').trimEnd();
const lineCount = shipped.split('\n').length;
const withHubSpot = (block: string) => `${shipped}\n  hubspot:\n${block.replace(/^/gm, '    ')}\n`;

describe('connections.hubspot cross-checks', () => {
  it('accepts owners of known reps and named write-back properties', () => {
    const text = withHubSpot(
      'appId: 1234567\nowners:\n  jonas-becker: "9001"\nwriteBack:\n  lifecycleStage: salesqualifiedlead\n  leadStatus: OPEN\n  slaStatusProperty: flywheel_sla_status\n  slaDeadlineProperty: flywheel_sla_deadline',
    );
    expect(checkConfigText('flywheel.yaml', text, os.tmpdir()).diagnostics).toEqual([]);
  });

  it('refuses an owners key that is no rep id, at its line', () => {
    const text = withHubSpot('appId: 1234567\nowners:\n  jonas-becker: "9001"\n  jonas-beker: "9002"');
    const { diagnostics } = checkConfigText('config/flywheel.yaml', text, os.tmpdir());
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: 'config/flywheel.yaml',
        line: lineCount + 5,
        path: 'connections.hubspot.owners.jonas-beker',
        code: 'unknown-rep',
        message: 'unknown rep "jonas-beker"',
      }),
    ]);
  });

  it('refuses empty or malformed write-back property names and empty values, each at its line', () => {
    const text = withHubSpot('appId: 1234567\nwriteBack:\n  leadStatus: ""\n  slaStatusProperty: "SLA status"\n  slaDeadlineProperty: ""');
    const { diagnostics } = checkConfigText('config/flywheel.yaml', text, os.tmpdir());
    expect(diagnostics.map((d) => [d.line, d.path, d.code])).toEqual([
      [lineCount + 5, 'connections.hubspot.writeBack.slaStatusProperty', 'bad-property'],
      [lineCount + 6, 'connections.hubspot.writeBack.slaDeadlineProperty', 'bad-property'],
      [lineCount + 4, 'connections.hubspot.writeBack.leadStatus', 'bad-property'],
    ]);
    expect(diagnostics[0]!.message).toBe(`"SLA status" is not a HubSpot property's internal name (a letter, then letters, digits or "_")`);
  });
});
