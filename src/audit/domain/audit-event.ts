/**
 * The byte format of one audit event: a JSON object serialized with RFC 8785 (JCS), so the same
 * event always has the same bytes and anyone can re-derive them with a public JCS library.
 *
 *   {"action":…,"actor":{"id":…,"keyName"?:…,"type":…},"assetId"?:…,"consentId"?:…,
 *    "data":{…},"occurredAt":"<ISO 8601 UTC>","personId"?:…,"seq":<leaf index>,"v":1}
 *
 * The leaf index is inside the bytes, so a row moved to another position no longer matches.
 * Personal data stays out: ids, codes and hashes only; `assertAuditData` refuses what looks
 * like free text or an email address.
 */
import canonicalize from 'canonicalize';
import { AuditAction, isAuditAction } from 'src/audit/audit-actions';
import type { StaffPrincipal } from 'src/common/auth/roles';

export const AUDIT_EVENT_VERSION = 1;

export type AuditActor =
  | { type: 'staff'; id: string; keyName?: string }
  | { type: 'person'; id: string }
  | { type: 'system'; id: string };

export interface AuditEventInput {
  action: AuditAction;
  actor: AuditActor;
  personId?: string;
  consentId?: string;
  assetId?: string;
  /** JSON: ids, codes and hashes only. */
  data?: Record<string, unknown>;
}

/** An event exactly as hashed. */
export interface AuditEventRecord {
  v: number;
  seq: number;
  occurredAt: string;
  action: AuditAction;
  actor: AuditActor;
  personId?: string;
  consentId?: string;
  assetId?: string;
  data: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTOR_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const EMAIL = /[^\s@]+@[^\s@]+\.[^\s@]+/;
const MAX_STRING = 512;
const MAX_KEY = 64;
const MAX_DEPTH = 6;
const MAX_KEY_NAME = 100;
export const MAX_EVENT_BYTES = 16 * 1024;

/** The actor of a request made with a staff API key. */
export function staffActor(principal: StaffPrincipal): AuditActor {
  // A key name is a label chosen by staff; one that holds an email address stays out of the log.
  const keyName = principal.keyName.slice(0, MAX_KEY_NAME);
  return EMAIL.test(keyName)
    ? { type: 'staff', id: principal.keyId }
    : { type: 'staff', id: principal.keyId, keyName };
}

/** Validates an event and fixes its position and time; throws TypeError on a programming error. */
export function auditEventRecord(
  seq: number,
  occurredAt: Date,
  input: AuditEventInput,
): AuditEventRecord {
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new TypeError('seq must be a non-negative integer');
  if (Number.isNaN(occurredAt.getTime())) throw new TypeError('occurredAt must be a valid date');
  if (!isAuditAction(input.action))
    throw new TypeError(`unknown audit action ${String(input.action)}`);
  const record: AuditEventRecord = {
    v: AUDIT_EVENT_VERSION,
    seq,
    occurredAt: occurredAt.toISOString(),
    action: input.action,
    actor: validActor(input.actor),
    data: input.data ?? {},
  };
  for (const field of ['personId', 'consentId', 'assetId'] as const) {
    const id = input[field];
    if (id === undefined || id === null) continue;
    if (typeof id !== 'string' || !UUID.test(id))
      throw new TypeError(`audit ${field} must be a UUID`);
    record[field] = id.toLowerCase();
  }
  assertAuditData(record.data, 'data', 0);
  return record;
}

/** RFC 8785 bytes of the record: what is stored and hashed. */
export function canonicalBytes(record: AuditEventRecord): Buffer {
  const text = canonicalize(record);
  if (text === undefined) throw new TypeError('audit event is not serializable');
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_EVENT_BYTES) {
    throw new TypeError(`audit event is ${bytes.length} bytes; the limit is ${MAX_EVENT_BYTES}`);
  }
  return bytes;
}

/**
 * The canonical bytes of an event whose seq is not known yet, split around it:
 * bytes = prefix ‖ decimal seq ‖ suffix. "seq" and "v" sort last in JCS key order, so the seq is
 * always second to last; everything but the seq is done before the log is locked.
 */
export interface CanonicalTemplate {
  prefix: Buffer;
  suffix: Buffer;
}

const LONGEST_SEQ = String(Number.MAX_SAFE_INTEGER).length;

/** Validates the event like auditEventRecord; throws TypeError when it is malformed or too big. */
export function canonicalTemplate(occurredAt: Date, input: AuditEventInput): CanonicalTemplate {
  const text = canonicalize(auditEventRecord(0, occurredAt, input));
  const tail = `,"seq":0,"v":${AUDIT_EVENT_VERSION}}`;
  if (text === undefined || !text.endsWith(tail))
    throw new TypeError('audit event is not serializable');
  const prefix = Buffer.from(`${text.slice(0, -tail.length)},"seq":`, 'utf8');
  const suffix = Buffer.from(`,"v":${AUDIT_EVENT_VERSION}}`, 'utf8');
  const longest = prefix.length + LONGEST_SEQ + suffix.length;
  if (longest > MAX_EVENT_BYTES) {
    throw new TypeError(`audit event is ${longest} bytes; the limit is ${MAX_EVENT_BYTES}`);
  }
  return { prefix, suffix };
}

/** The canonical bytes of a template at its seq: those canonicalBytes gives for the record. */
export function bytesAtSeq(template: CanonicalTemplate, seq: number): Buffer {
  return Buffer.concat([template.prefix, Buffer.from(String(seq), 'latin1'), template.suffix]);
}

export function parseAuditEvent(bytes: Uint8Array): AuditEventRecord {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as AuditEventRecord;
}

const SEQ_KEY = Buffer.from(',"seq":', 'utf8');
const V_KEY = Buffer.from(',"v":', 'utf8');
/** How the bytes of every audit.checkpoint event begin ("action" sorts first in JCS order). */
export const CHECKPOINT_PREFIX = Buffer.from('{"action":"audit.checkpoint",', 'utf8');

/**
 * The leaf index written in canonical bytes, read backwards from their tail `,"seq":N,"v":M}`:
 * "seq" and "v" sort last in JCS key order, so the verifier needs no parse (and no allocation)
 * per event. Null when the tail is not there.
 */
export function seqInCanonical(bytes: Uint8Array): number | null {
  const last = bytes.length - 1;
  if (bytes[last] !== 0x7d) return null;
  const vDigits = digitsBefore(bytes, last);
  if (vDigits === 0 || !hasAt(bytes, last - vDigits - V_KEY.length, V_KEY)) return null;
  const seqEnd = last - vDigits - V_KEY.length;
  const seqDigits = digitsBefore(bytes, seqEnd);
  const seqStart = seqEnd - seqDigits;
  if (seqDigits === 0 || seqDigits > 15 || (seqDigits > 1 && bytes[seqStart] === 0x30)) return null;
  if (!hasAt(bytes, seqStart - SEQ_KEY.length, SEQ_KEY)) return null;
  let seq = 0;
  for (let i = seqStart; i < seqEnd; i += 1) seq = seq * 10 + (bytes[i] - 0x30);
  return seq;
}

/** True when the bytes are an audit.checkpoint event. */
export function isCheckpointEvent(bytes: Uint8Array): boolean {
  return hasAt(bytes, 0, CHECKPOINT_PREFIX);
}

/** Number of ASCII digits immediately before index `end`. */
function digitsBefore(bytes: Uint8Array, end: number): number {
  let count = 0;
  while (end - count - 1 >= 0 && bytes[end - count - 1] >= 0x30 && bytes[end - count - 1] <= 0x39)
    count += 1;
  return count;
}

function hasAt(bytes: Uint8Array, start: number, expected: Buffer): boolean {
  if (start < 0 || start + expected.length > bytes.length) return false;
  for (let i = 0; i < expected.length; i += 1) if (bytes[start + i] !== expected[i]) return false;
  return true;
}

function validActor(actor: AuditActor): AuditActor {
  if (typeof actor !== 'object' || actor === null) throw new TypeError('audit actor is required');
  if (!['staff', 'person', 'system'].includes(actor.type)) {
    throw new TypeError('audit actor type must be staff, person or system');
  }
  if (typeof actor.id !== 'string' || !ACTOR_ID.test(actor.id)) {
    throw new TypeError('audit actor id must be an id (letters, digits, . _ : -)');
  }
  if (actor.type !== 'staff' || actor.keyName === undefined)
    return { type: actor.type, id: actor.id };
  if (
    typeof actor.keyName !== 'string' ||
    actor.keyName.length > MAX_KEY_NAME ||
    EMAIL.test(actor.keyName)
  ) {
    throw new TypeError(
      `audit actor keyName must be a key label of at most ${MAX_KEY_NAME} characters`,
    );
  }
  return { type: 'staff', id: actor.id, keyName: actor.keyName };
}

/** JSON values only, and nothing that looks like free text or an email address. */
export function assertAuditData(value: unknown, path: string, depth: number): void {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`audit ${path} must be a finite number`);
    return;
  }
  if (typeof value === 'string') {
    if (value.length > MAX_STRING)
      throw new TypeError(`audit ${path} is longer than ${MAX_STRING} characters`);
    if (EMAIL.test(value)) throw new TypeError(`audit ${path} looks like an email address`);
    return;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`audit ${path} is an invalid date`);
    return;
  }
  if (depth >= MAX_DEPTH) throw new TypeError(`audit ${path} is nested too deeply`);
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertAuditData(item, `${path}[${index}]`, depth + 1));
    return;
  }
  const proto: unknown = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`audit ${path} must be JSON (plain objects, arrays, strings, numbers)`);
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key.length > MAX_KEY || EMAIL.test(key))
      throw new TypeError(`audit ${path} has an invalid key`);
    if (item === undefined) continue;
    assertAuditData(item, `${path}.${key}`, depth + 1);
  }
}
