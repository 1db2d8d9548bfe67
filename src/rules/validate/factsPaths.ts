import { closest } from '../../diagnostics/suggest.ts';
import type { JsonSchema } from '../schemas.ts';

/** A facts-schema node; `true` means "anything" (an element of a computed array, an accumulator). */
export type SchemaNode = JsonSchema | true;

export type Resolution = { ok: true; node: SchemaNode } | { ok: false; at: number; known: string[] };

const isObj = (x: unknown): x is JsonSchema => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The facts schema as a lookup: which `var` paths exist, what they hold, and the nearest declared path for a
 * typo. A path is declared when it walks object `properties` (or an open `additionalProperties` map) and
 * numeric indexes into arrays; nothing else, so `lead.email.length` or `lead.technologies.map` is undeclared.
 */
export class FactsIndex {
  private allPaths: string[] | undefined;

  constructor(readonly root: JsonSchema) {}

  deref(node: SchemaNode): SchemaNode {
    let cur = node;
    for (let i = 0; i < 16 && isObj(cur) && typeof cur.$ref === 'string'; i++) {
      const ref = cur.$ref;
      if (!ref.startsWith('#/')) throw new Error(`facts schema: only local $ref is supported, got ${ref}`);
      let target: unknown = this.root;
      for (const seg of ref.slice(2).split('/')) target = isObj(target) ? target[seg] : undefined;
      if (!isObj(target)) throw new Error(`facts schema: unresolved $ref ${ref}`);
      const { $ref: _ignored, ...rest } = cur;
      cur = { ...target, ...rest };
    }
    return cur;
  }

  /** One step down; undefined when `seg` is not declared under `node`. */
  child(node: SchemaNode, seg: string): SchemaNode | undefined {
    const n = this.deref(node);
    if (n === true) return true;
    for (const key of ['anyOf', 'oneOf'] as const) {
      const branches = n[key];
      if (Array.isArray(branches)) {
        for (const b of branches) {
          const hit = this.child(b as SchemaNode, seg);
          if (hit !== undefined) return hit;
        }
      }
    }
    const props = n.properties;
    if (isObj(props) && Object.hasOwn(props, seg)) return props[seg] as SchemaNode;
    if (isObj(n.additionalProperties)) return n.additionalProperties as SchemaNode;
    if (/^\d+$/.test(seg) && (typesOf(n).includes('array') || n.items !== undefined)) {
      return isObj(n.items) ? (n.items as SchemaNode) : true;
    }
    if (!n.type && !props && !n.items && !n.enum && !n.anyOf && !n.oneOf) return true;
    return undefined;
  }

  resolve(from: SchemaNode, segments: readonly string[]): Resolution {
    let node = from;
    for (let i = 0; i < segments.length; i++) {
      const next = this.child(node, segments[i]!);
      if (next === undefined) return { ok: false, at: i, known: this.keys(node) };
      node = next;
    }
    return { ok: true, node: this.deref(node) };
  }

  keys(node: SchemaNode): string[] {
    const n = this.deref(node);
    return n !== true && isObj(n.properties) ? Object.keys(n.properties) : [];
  }

  /** Element schema when `node` is an array, else `true`. */
  items(node: SchemaNode): SchemaNode {
    const n = this.deref(node);
    return n !== true && isObj(n.items) ? this.deref(n.items as SchemaNode) : true;
  }

  /** Every declared path (without array indexes), for "did you mean". */
  paths(): string[] {
    if (this.allPaths) return this.allPaths;
    const out: string[] = [];
    const walk = (node: SchemaNode, prefix: string, depth: number) => {
      if (depth > 6) return;
      for (const k of this.keys(node)) {
        const p = prefix ? `${prefix}.${k}` : k;
        out.push(p);
        walk(this.child(node, k)!, p, depth + 1);
      }
    };
    walk(this.root, '', 0);
    this.allPaths = out;
    return out;
  }

  /** Nearest declared path to a mistyped one, among those a kind may read. */
  suggest(path: string, namespaces: readonly string[]): string | undefined {
    const candidates = this.paths().filter((p) => namespaces.includes(p.split('.')[0]!));
    // `lead.tier` -> `icp.tier`: the same field under another parent beats a near spelling; of several such
    // parents (icp.tier, account.tier) the nearest spelling of the whole path wins.
    const segs = path.split('.');
    const last = segs.pop()!;
    const parent = segs.join('.');
    return (
      closest(
        path,
        candidates.filter((p) => p !== path && p.split('.').pop() === last),
        Infinity,
      ) ??
      closest(path, candidates) ??
      // `lead.phonenumber` -> `lead.phone`: a sibling that shares a long prefix.
      candidates.find((p) => {
        const i = p.lastIndexOf('.');
        const name = p.slice(i + 1).toLowerCase();
        const typed = last.toLowerCase();
        return p.slice(0, Math.max(i, 0)) === parent && name.length >= 4 && (typed.startsWith(name) || name.startsWith(typed));
      })
    );
  }
}

export function typesOf(node: SchemaNode): string[] {
  if (node === true) return [];
  const t = node.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t as string[];
  if (Array.isArray(node.enum)) return [...new Set((node.enum as unknown[]).map((v) => (v === null ? 'null' : typeof v)))];
  return [];
}

/** A short human description of what a path holds, for messages. */
export function describeNode(index: FactsIndex, node: SchemaNode): string {
  const n = index.deref(node);
  if (n === true) return 'any value';
  if (Array.isArray(n.enum)) return `one of ${(n.enum as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  const types = typesOf(n).filter((t) => t !== 'null');
  if (types.includes('array')) {
    const item = describeNode(index, index.items(n));
    return `an array of ${item === 'any value' ? 'values' : item.replace(/^an? /, '')}s`;
  }
  return types.length ? `a${/^[aeiou]/.test(types[0]!) ? 'n' : ''} ${types.join(' or ')}` : 'any value';
}
