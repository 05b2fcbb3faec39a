/** A UTF-16 surrogate that is not half of a pair: in `u` mode a pair is one code point, not Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Where `value` holds text that is not well-formed Unicode (a lone surrogate, which JSON's \ud800
 * escape can carry): the dotted path of the first such string or key, '' for `value` itself, or
 * null when there is none. Such text has no UTF-8 form, so nothing downstream can store or check
 * it (validator's isEmail throws on it).
 */
export function illFormedTextAt(value: unknown): string | null {
  const pending: { node: unknown; path: string }[] = [{ node: value, path: '' }];
  while (pending.length > 0) {
    const { node, path } = pending.pop() as { node: unknown; path: string };
    if (typeof node === 'string') {
      if (LONE_SURROGATE.test(node)) return path;
      continue;
    }
    if (typeof node !== 'object' || node === null || Buffer.isBuffer(node)) continue;
    for (const [key, child] of Object.entries(node)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (LONE_SURROGATE.test(key)) return childPath;
      pending.push({ node: child, path: childPath });
    }
  }
  return null;
}
