import * as net from 'node:net';
import { once } from 'node:events';
import { freePort } from 'src/database/embedded-postgres';

export type ProxyState = 'open' | 'refusing' | 'stalled';

/**
 * A TCP forwarder a test can cut, to take a dependency (PostgreSQL, SMTP) away from the service
 * without touching the real server that other tests share.
 * - `refuse()`: the server is gone: open connections are reset and new ones are refused.
 * - `stall()`: the network is partitioned: open connections go silent, new ones are accepted and
 *   nothing ever comes back.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs = new Map<net.Socket, net.Socket>();
  private mode: ProxyState = 'open';
  private trap:
    { pattern: RegExp; after?: RegExp; deliver: boolean; sprung: () => void } | undefined;
  /** Connections accepted since start, whatever became of them. */
  connections = 0;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.listen();
    return proxy;
  }

  get state(): ProxyState {
    return this.mode;
  }

  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  async refuse(): Promise<void> {
    this.mode = 'refusing';
    this.dropAll();
    await this.close();
  }

  async stall(): Promise<void> {
    this.mode = 'stalled';
    for (const [client, upstream] of this.pairs) {
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
    if (!this.server) await this.listen();
  }

  async restore(): Promise<void> {
    this.mode = 'open';
    this.dropAll();
    if (!this.server) await this.listen();
  }

  /**
   * Cuts the first connection whose client sends bytes matching `pattern` (e.g. a statement's text),
   * optionally only on a connection that sent `after` before (e.g. COMMIT after a given INSERT):
   * before the server sees them, or, with `deliver`, once the server has received them but before
   * the client hears the answer. Resolves when it happened.
   */
  cutOn(
    pattern: RegExp,
    { after, deliver = false }: { after?: RegExp; deliver?: boolean } = {},
  ): Promise<void> {
    return new Promise((resolve) => {
      this.trap = { pattern, after, deliver, sprung: resolve };
    });
  }

  async stop(): Promise<void> {
    this.dropAll();
    await this.close();
  }

  private async listen(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.connections += 1;
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    if (this.mode !== 'open') return;
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(upstream);
    this.pairs.set(client, upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      this.pairs.delete(client);
      upstream.destroy();
    });
    let armed = false;
    client.on('data', (chunk: Buffer) => {
      const trap = this.trap;
      const text = trap ? chunk.toString('latin1') : '';
      if (trap?.after && trap.after.test(text)) armed = true;
      if (trap && (armed || !trap.after) && trap.pattern.test(text)) {
        this.trap = undefined;
        if (trap.deliver) {
          upstream.unpipe(client);
          upstream.write(chunk);
          // Long enough for the server to act on it; its answer is never passed on.
          setTimeout(() => {
            client.resetAndDestroy();
            upstream.destroy();
            trap.sprung();
          }, 300);
        } else {
          client.resetAndDestroy();
          upstream.destroy();
          trap.sprung();
        }
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
  }

  private dropAll(): void {
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    this.pairs.clear();
  }
}
