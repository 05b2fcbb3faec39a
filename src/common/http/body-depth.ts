/** No body this API takes nests deeper than a few levels; far deeper ones only exhaust the stack. */
export const MAX_BODY_DEPTH = 32;

/** Whether `value` nests objects or arrays deeper than `limit` levels (checked without recursion). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop() as { node: unknown; depth: number };
    if (typeof node !== 'object' || node === null || Buffer.isBuffer(node)) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) pending.push({ node: child, depth: depth + 1 });
  }
  return false;
}
