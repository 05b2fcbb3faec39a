import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { AuditLog } from 'src/audit/audit-log.service';
import {
  consistencyProof,
  inclusionProof,
  merkleTreeHash,
  verifyConsistency,
  verifyInclusion,
} from 'src/audit/domain/merkle';
import { verifyNote } from 'src/audit/domain/checkpoint';
import { encodeFrontier } from 'src/audit/domain/frontier-codec';
import { appendLeaf, Frontier, leafHash } from 'src/audit/domain/merkle';
import { QueueName } from 'src/queue/queue-names';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';
import { sharedTestdata } from 'test/support/shared-testdata';

const hex = (value: string) => Buffer.from(value, 'hex');

describe('audit proofs over HTTP', () => {
  let t: TestApp;
  let legal: string;
  let leaves: Buffer[];

  beforeAll(async () => {
    t = await startTestApp({ env: { AUDIT_CHECKPOINT_EVERY: '1000' } });
    legal = await t.keyFor('hr_legal');
    const auditLog = t.app.get(AuditLog);
    for (let i = 0; i < 70; i += 1) {
      await t.dataSource.transaction((em) =>
        auditLog.append(em, {
          action: 'email.sent',
          actor: { type: 'system', id: 'mailer' },
          data: { i },
        }),
      );
    }
    const rows = await t.dataSource.query<{ leaf_hash: Buffer }[]>(
      'SELECT leaf_hash FROM audit_events ORDER BY seq',
    );
    leaves = rows.map((row) => row.leaf_hash);
  });
  afterAll(() => t.close());

  const get = (path: string) => request(t.http).get(path).set('authorization', `Bearer ${legal}`);

  it('returns inclusion proofs that verify, equal to the reference algorithm, for every leaf of many tree sizes', async () => {
    for (const treeSize of [1, 2, 3, 7, 8, 9, 31, 32, 33, 64, leaves.length]) {
      for (let seq = 0; seq < treeSize; seq += 1) {
        const { body } = await get(
          `/v1/audit/proof/inclusion?seq=${seq}&treeSize=${treeSize}`,
        ).expect(200);
        const root = merkleTreeHash(leaves.slice(0, treeSize));
        expect(body.rootHash).toBe(root.toString('hex'));
        expect(body.leafHash).toBe(leaves[seq].toString('hex'));
        expect(body.proof).toEqual(
          inclusionProof(leaves.slice(0, treeSize), seq).map((h) => h.toString('hex')),
        );
        expect(verifyInclusion(seq, treeSize, hex(body.leafHash), body.proof.map(hex), root)).toBe(
          true,
        );
      }
    }
  });

  it('returns consistency proofs that verify, equal to the reference algorithm, for every pair of sizes', async () => {
    for (let to = 1; to <= leaves.length; to += 4) {
      for (let from = 1; from <= to; from += 1) {
        const { body } = await get(`/v1/audit/proof/consistency?from=${from}&to=${to}`).expect(200);
        expect(body.fromRootHash).toBe(merkleTreeHash(leaves.slice(0, from)).toString('hex'));
        expect(body.toRootHash).toBe(merkleTreeHash(leaves.slice(0, to)).toString('hex'));
        expect(body.proof).toEqual(
          consistencyProof(leaves, from, to).map((h) => h.toString('hex')),
        );
        expect(
          verifyConsistency(
            from,
            to,
            body.proof.map(hex),
            hex(body.fromRootHash),
            hex(body.toRootHash),
          ),
        ).toBe(true);
      }
    }
  });

  it('proves a leaf against a signed checkpoint, and each checkpoint consistent with a later one', async () => {
    const first = (
      await request(t.http)
        .post('/v1/audit/checkpoints')
        .set('authorization', `Bearer ${legal}`)
        .expect(201)
    ).body;
    const second = (
      await request(t.http)
        .post('/v1/audit/checkpoints')
        .set('authorization', `Bearer ${legal}`)
        .expect(201)
    ).body;
    const { body: list } = await get('/v1/audit/checkpoints').expect(200);
    const publicKey = Buffer.from(list.publicKey, 'base64');
    const signed = verifyNote(second.note, list.keyName, publicKey);
    expect(signed).not.toBeNull();

    const { body: inclusion } = await get(
      `/v1/audit/proof/inclusion?seq=5&treeSize=${second.treeSize}`,
    ).expect(200);
    expect(
      verifyInclusion(
        5,
        second.treeSize,
        hex(inclusion.leafHash),
        inclusion.proof.map(hex),
        signed!.rootHash,
      ),
    ).toBe(true);

    const { body: consistency } = await get(
      `/v1/audit/proof/consistency?from=${first.treeSize}&to=${second.treeSize}`,
    ).expect(200);
    expect(
      verifyConsistency(
        first.treeSize,
        second.treeSize,
        consistency.proof.map(hex),
        hex(first.rootHash),
        signed!.rootHash,
      ),
    ).toBe(true);
  });

  it('defaults to the current tree size', async () => {
    const { body } = await get('/v1/audit/proof/inclusion?seq=0').expect(200);
    const size = Number(
      (await t.dataSource.query('SELECT tree_size FROM audit_tree_state'))[0].tree_size,
    );
    expect(body.treeSize).toBe(size);
    const consistency = await get('/v1/audit/proof/consistency?from=1').expect(200);
    expect(consistency.body.to).toBe(size);
  });

  it('answers 400 naming the field for a proof that cannot exist', async () => {
    for (const [path, field] of [
      ['/v1/audit/proof/inclusion', 'seq'],
      ['/v1/audit/proof/inclusion?seq=abc', 'seq'],
      ['/v1/audit/proof/inclusion?seq=-1', 'seq'],
      ['/v1/audit/proof/inclusion?seq=1.5', 'seq'],
      ['/v1/audit/proof/inclusion?seq=10&treeSize=10', 'seq'],
      ['/v1/audit/proof/inclusion?seq=0&treeSize=100000', 'treeSize'],
      ['/v1/audit/proof/consistency?from=0&to=5', 'from'],
      ['/v1/audit/proof/consistency?from=6&to=5', 'from'],
      ['/v1/audit/proof/consistency?from=1&to=100000', 'to'],
    ]) {
      const res = await get(path).expect(400);
      expect({
        path,
        code: res.body.code,
        fields: res.body.details.map((d: { field: string }) => d.field),
      }).toEqual({
        path,
        code: 'VALIDATION_FAILED',
        fields: [field],
      });
    }
  });
});

/*
 * Known-answer vectors from transparency-dev/merkle (Apache License 2.0), in ../shared/testdata/merkle:
 * the reference tree's leaves are loaded as raw rows (they are not audit events, so this database
 * is used for proofs only), and the service's answers must equal the vectors byte for byte.
 */
interface Vector {
  leafIdx: number;
  treeSize: number;
  size1: number;
  size2: number;
  root: string;
  root1: string;
  root2: string;
  leafHash: string;
  proof: string[] | null;
}

describe('audit proofs over HTTP, against the RFC 9162 known-answer vectors', () => {
  const VECTORS = sharedTestdata('merkle');
  const LEAVES = [
    '',
    '00',
    '10',
    '2021',
    '3031',
    '40414243',
    '5051525354555657',
    '606162636465666768696a6b6c6d6e6f',
  ];
  const ROOTS = [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];
  const b64 = (hexHash: string) => Buffer.from(hexHash, 'hex').toString('base64');
  const happyPaths = (kind: string) =>
    fs
      .readdirSync(path.join(VECTORS, kind))
      .map((dir) => path.join(VECTORS, kind, dir, 'happy-path.json'))
      .filter((file) => fs.existsSync(file))
      .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as Vector);

  let t: TestApp;
  let legal: string;

  beforeAll(async () => {
    t = await startTestApp();
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Audit));
    await waitFor(async () => (await queue.getCompletedCount()) >= 1, {
      what: 'first scheduled checkpoint',
    });
    await t.dataSource.transaction(async (em) => {
      await em.query('SELECT 1 FROM audit_tree_state FOR UPDATE');
      let frontier: Frontier = [];
      for (const [seq, hex] of LEAVES.entries()) {
        const bytes = Buffer.from(hex, 'hex');
        const next = appendLeaf(frontier, seq, leafHash(bytes));
        await em.query(
          `INSERT INTO audit_events (seq, occurred_at, action, canonical, leaf_hash) VALUES ($1, now(), 'email.sent', $2, $3)`,
          [seq, bytes, next.completedNodes[0].hash],
        );
        for (const node of next.completedNodes.slice(1)) {
          await em.query('INSERT INTO audit_tree_nodes (level, idx, hash) VALUES ($1, $2, $3)', [
            node.level,
            node.index,
            node.hash,
          ]);
        }
        frontier = next.frontier;
      }
      await em.query('UPDATE audit_tree_state SET tree_size = $1, frontier = $2', [
        LEAVES.length,
        encodeFrontier(frontier),
      ]);
    });
    legal = await t.keyFor('hr_legal');
  });
  afterAll(() => t.close());

  const get = (url: string) => request(t.http).get(url).set('authorization', `Bearer ${legal}`);

  it('gives the known root for every tree size', async () => {
    for (const [i, root] of ROOTS.entries()) {
      const { body } = await get(`/v1/audit/proof/inclusion?seq=0&treeSize=${i + 1}`).expect(200);
      expect({ treeSize: i + 1, root: body.rootHash }).toEqual({ treeSize: i + 1, root });
    }
  });

  it('gives the known inclusion proofs', async () => {
    const vectors = happyPaths('inclusion');
    expect(vectors.length).toBeGreaterThanOrEqual(5);
    for (const vector of vectors) {
      const { body } = await get(
        `/v1/audit/proof/inclusion?seq=${vector.leafIdx}&treeSize=${vector.treeSize}`,
      ).expect(200);
      expect({
        root: b64(body.rootHash),
        leafHash: b64(body.leafHash),
        proof: body.proof.map(b64),
      }).toEqual({
        root: vector.root,
        leafHash: vector.leafHash,
        proof: vector.proof ?? [],
      });
    }
  });

  it('gives the known consistency proofs', async () => {
    const vectors = happyPaths('consistency');
    expect(vectors.length).toBeGreaterThanOrEqual(5);
    for (const vector of vectors) {
      const { body } = await get(
        `/v1/audit/proof/consistency?from=${vector.size1}&to=${vector.size2}`,
      ).expect(200);
      expect({
        root1: b64(body.fromRootHash),
        root2: b64(body.toRootHash),
        proof: body.proof.map(b64),
      }).toEqual({
        root1: vector.root1,
        root2: vector.root2,
        proof: vector.proof ?? [],
      });
    }
  });
});
