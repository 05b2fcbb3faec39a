/**
 * The little DER (ITU-T X.690) the evidence seal needs: encoding CMS structures and reading back
 * certificates and signatures. Definite lengths only, as DER requires.
 */

export const TAG = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One element: its tag, where its header starts, where its content starts and ends. */
export interface DerElement {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

export function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function sequence(...children: Buffer[]): Buffer {
  return tlv(TAG.SEQUENCE, Buffer.concat(children));
}

/** DER sorts the elements of a SET OF by their encodings (X.690 11.6). */
export function setOf(children: Buffer[], tag: number = TAG.SET): Buffer {
  return tlv(tag, Buffer.concat([...children].sort((a, b) => Buffer.compare(a, b))));
}

/** [n] EXPLICIT or constructed [n] IMPLICIT: a context-specific constructed tag. */
export function contextTag(n: number, content: Buffer): Buffer {
  return tlv(0xa0 | n, content);
}

export function octetString(bytes: Buffer): Buffer {
  return tlv(TAG.OCTET_STRING, bytes);
}

export function integer(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}

export function nullValue(): Buffer {
  return Buffer.from([TAG.NULL, 0]);
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) {
    throw new RangeError(`not an object identifier: ${dotted}`);
  }
  const bytes: number[] = [];
  for (const arc of [arcs[0] * 40 + arcs[1], ...arcs.slice(2)]) {
    const base128 = [arc % 128];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) {
      base128.unshift((rest % 128) | 0x80);
    }
    bytes.push(...base128);
  }
  return tlv(TAG.OID, Buffer.from(bytes));
}

export function oidToString(content: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

/** Reads the element starting at `offset`; throws RangeError on anything malformed. */
export function readElement(der: Buffer, offset = 0, limit = der.length): DerElement {
  if (offset + 2 > limit) throw new RangeError('DER: truncated header');
  const tag = der[offset];
  if ((tag & 0x1f) === 0x1f) throw new RangeError('DER: high tag numbers are not supported');
  let length = der[offset + 1];
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new RangeError('DER: unsupported length');
    if (contentStart + count > limit) throw new RangeError('DER: truncated length');
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + der[contentStart + i];
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new RangeError('DER: element runs past its container');
  return { tag, start: offset, contentStart, end };
}

/** The elements directly inside a constructed element. */
export function childrenOf(der: Buffer, parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = parent.contentStart; offset < parent.end;) {
    const child = readElement(der, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

export function bytesOf(der: Buffer, element: DerElement): Buffer {
  return der.subarray(element.start, element.end);
}

export function contentOf(der: Buffer, element: DerElement): Buffer {
  return der.subarray(element.contentStart, element.end);
}
