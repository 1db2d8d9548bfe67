import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';

export interface Position {
  line: number;
  column: number;
}

/**
 * A parsed YAML document that still knows where each value came from, so that schema and
 * semantic errors found on plain JSON can be reported at the file, line and column a person edits.
 */
export class LocatedYaml {
  readonly value: unknown;

  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {
    this.value = doc.toJS({ maxAliasCount: 100 });
  }

  /** Position of the value at `path`; falls back to the deepest ancestor that exists (e.g. for a missing field). */
  positionOf(path: readonly (string | number)[]): Position {
    let node: unknown = this.doc.contents;
    let best: Node | null = isNodeLike(node) ? node : null;
    for (const seg of path) {
      const next = childOf(node, seg);
      if (next === undefined) break;
      node = next.value;
      const anchor = isNodeLike(next.value) ? next.value : next.key;
      if (anchor) best = anchor;
    }
    return this.toPosition(best?.range?.[0] ?? 0);
  }

  /** Position of the key itself (better for "unknown field" errors). */
  keyPositionOf(path: readonly (string | number)[]): Position {
    const parent = path.slice(0, -1);
    const last = path[path.length - 1];
    let node: unknown = this.doc.contents;
    for (const seg of parent) {
      const next = childOf(node, seg);
      if (next === undefined) return this.positionOf(path);
      node = next.value;
    }
    const hit = last === undefined ? undefined : childOf(node, last);
    if (hit?.key?.range) return this.toPosition(hit.key.range[0]);
    return this.positionOf(path);
  }

  private toPosition(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

function isNodeLike(x: unknown): x is Node {
  return isMap(x) || isSeq(x) || isScalar(x);
}

function childOf(node: unknown, seg: string | number): { key: Node | null; value: unknown } | undefined {
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const k = isScalar(item.key) ? item.key.value : item.key;
      if (String(k) === String(seg)) return { key: isNodeLike(item.key) ? item.key : null, value: item.value };
    }
    return undefined;
  }
  if (isSeq(node)) {
    const i = typeof seg === 'number' ? seg : Number(seg);
    const item = Number.isInteger(i) ? node.items[i] : undefined;
    return item === undefined ? undefined : { key: null, value: item };
  }
  return undefined;
}

export type ParseResult = { ok: true; yaml: LocatedYaml } | { ok: false; diagnostics: Diagnostic[] };

/** Parses YAML strictly: syntax errors and duplicate keys are reported with their positions, never guessed around. */
export function parseLocatedYaml(file: string, text: string): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      diagnostics: doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return {
          severity: 'error' as const,
          file,
          line,
          column: col,
          code: 'yaml-syntax',
          message: `invalid YAML: ${e.message.split('\n')[0]}`,
        };
      }),
    };
  }
  try {
    return { ok: true, yaml: new LocatedYaml(file, doc, lines) };
  } catch (e) {
    return {
      ok: false,
      diagnostics: [{ severity: 'error', file, line: 1, column: 1, code: 'yaml-syntax', message: `invalid YAML: ${(e as Error).message}` }],
    };
  }
}
