/** No body this API takes nests deeper than a few levels; far deeper ones only exhaust the stack. */
export const MAX_BODY_DEPTH = 32;

/** A UTF-16 surrogate that is not half of a pair: in `u` mode a pair is one code point, not Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

export type InputProblem =
  | { kind: 'too_deep' }
  /** `field`: dotted path of the string or key, '' for the value itself. */
  | { kind: 'ill_formed_text'; field: string };

interface Visit {
  node: unknown;
  depth: number;
  parent?: Visit;
  key?: string;
}

/**
 * What no route can take, found in one walk of a parsed body or query (without recursion): objects
 * or arrays nested deeper than `maxDepth`, and text that is not well-formed Unicode (a lone
 * surrogate, which JSON's \ud800 escape can carry; it has no UTF-8 form, so nothing downstream can
 * store or check it: validator's isEmail throws on it). Null when there is neither.
 */
export function inputProblem(value: unknown, maxDepth = MAX_BODY_DEPTH): InputProblem | null {
  const pending: Visit[] = [{ node: value, depth: 0 }];
  while (pending.length > 0) {
    const visit = pending.pop() as Visit;
    const { node, depth } = visit;
    if (typeof node === 'string') {
      if (LONE_SURROGATE.test(node)) return { kind: 'ill_formed_text', field: pathOf(visit) };
      continue;
    }
    if (typeof node !== 'object' || node === null || Buffer.isBuffer(node)) continue;
    if (depth >= maxDepth) return { kind: 'too_deep' };
    for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
      const next: Visit = { node: child, depth: depth + 1, parent: visit, key };
      if (LONE_SURROGATE.test(key)) return { kind: 'ill_formed_text', field: pathOf(next) };
      pending.push(next);
    }
  }
  return null;
}

/** The dotted path of a visit, built only when a problem is found. */
function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) keys.push(at.key);
  return keys.reverse().join('.');
}
