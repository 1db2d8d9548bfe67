export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: Iterable<string>): void {
  for (const l of lines) process.stdout.write(`${l}\n`);
}
