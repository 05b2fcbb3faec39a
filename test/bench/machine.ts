import type Redis from 'ioredis';
import * as os from 'node:os';
import type { Pool } from 'pg';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  redis: string;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews figures. */
  loadAverage: number[];
}

/** PostgreSQL settings that move the figures (commit latency, cache size, connections). */
const POSTGRES_SETTINGS = [
  'shared_buffers',
  'synchronous_commit',
  'fsync',
  'wal_sync_method',
  'max_connections',
];

export async function describeMachine(pool: Pool, redis: Redis): Promise<MachineInfo> {
  const cpus = os.cpus();
  const version = await pool.query<{ version: string }>('SELECT version()');
  const settings = await pool.query<{ name: string; setting: string; unit: string | null }>(
    'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1) ORDER BY name',
    [POSTGRES_SETTINGS],
  );
  const server = await redis.info('server');
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: version.rows[0].version,
    postgresSettings: Object.fromEntries(
      settings.rows.map((row) => [
        row.name,
        row.unit ? `${row.setting} × ${row.unit}` : row.setting,
      ]),
    ),
    redis: /redis_version:(\S+)/.exec(server)?.[1] ?? 'unknown',
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

export function machineLines(machine: MachineInfo): string[] {
  const settings = Object.entries(machine.postgresSettings)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  return [
    `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; load average ${machine.loadAverage.join(' ')}`,
    `node ${machine.node}; ${machine.postgres.split(' on ')[0]} (${settings}); Redis ${machine.redis}`,
  ];
}
