import { createError } from '../errors.js';
import {
  CloseCode,
  type Link,
  type Transport,
  type TransportDialOptions,
  type TransportListener,
  type TransportListenOptions,
} from './transport.js';

type PipeItem = { frame: Uint8Array } | { code: number; reason: string };

/**
 * One end of an in-process link. What one end sends reaches the other in order, a macrotask later
 * (like a socket, never re-entrantly); a close travels behind the frames sent before it.
 */
class MemoryLink implements Link {
  readonly remote: string;
  onFrame: ((frame: Uint8Array) => void) | undefined;
  onClose: ((code: number, reason: string) => void) | undefined;
  peer!: MemoryLink;
  /** Largest frame this end accepts. */
  readonly maxFrameBytes: number;
  readonly port: number;
  #inbox: PipeItem[] = [];
  #draining = false;
  #sentClose = false;
  #closed = false;
  readonly #network: MemoryNetwork;

  constructor(network: MemoryNetwork, port: number, remote: string, maxFrameBytes: number) {
    this.#network = network;
    this.port = port;
    this.remote = remote;
    this.maxFrameBytes = maxFrameBytes;
  }

  get writable(): boolean {
    return !this.#sentClose && !this.#closed;
  }

  get buffered(): number {
    let n = 0;
    for (const item of this.peer.#inbox) if ('frame' in item) n += item.frame.byteLength;
    return n;
  }

  send(frame: Uint8Array): void {
    if (this.#sentClose || this.#closed || this.#network.isBlackholed(this.port)) return;
    this.peer.#push({ frame: frame.slice() });
  }

  close(code: number, reason: string): void {
    if (this.#sentClose || this.#closed) return;
    this.#sentClose = true;
    this.peer.#push({ code, reason });
    this.#push({ code, reason });
  }

  /** Both ends close at once with 1006, dropping frames in flight: the peer's process died. */
  sever(): void {
    for (const end of [this, this.peer]) {
      end.#inbox = [{ code: CloseCode.ABNORMAL, reason: 'link severed' }];
      end.#sentClose = true;
      end.#schedule();
    }
  }

  #push(item: PipeItem): void {
    if (this.#closed) return;
    this.#inbox.push(item);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#draining) return;
    this.#draining = true;
    setImmediate(() => this.#drain());
  }

  #drain(): void {
    this.#draining = false;
    while (this.#inbox.length > 0 && !this.#closed) {
      const item = this.#inbox.shift() as PipeItem;
      if ('frame' in item) {
        if (item.frame.byteLength > this.maxFrameBytes) {
          this.#inbox = [];
          this.close(CloseCode.TOO_BIG, 'Max payload size exceeded');
          continue;
        }
        this.onFrame?.(item.frame);
      } else {
        this.#closed = true;
        this.#sentClose = true;
        this.#inbox = [];
        this.#network.forget(this);
        this.onClose?.(item.code, item.reason);
      }
    }
  }
}

interface MemoryListener {
  onLink: (link: Link) => void;
  maxFrameBytes: number;
}

/**
 * An in-process network for unit tests: transports made by {@link MemoryNetwork.transport} listen
 * on `memory://<host>:<port>` and dial each other without sockets. It can also fail on purpose:
 * {@link MemoryNetwork.sever} kills every link of a listener (as `kill -9` would) and
 * {@link MemoryNetwork.blackhole} makes them silently drop frames (a hung peer, for heartbeats).
 *
 * @example
 * ```ts
 * const net = new MemoryNetwork();
 * const a = createSystem({ node: 'a', listen: { port: 0 }, transport: net.transport() });
 * const b = createSystem({ node: 'b', transport: net.transport() });
 * await a.ready;
 * await b.connect(`memory://127.0.0.1:${a.listenAddress!.port}`);
 * ```
 */
export class MemoryNetwork {
  readonly #listeners = new Map<number, MemoryListener>();
  readonly #links = new Set<MemoryLink>();
  readonly #blackholed = new Set<number>();
  #nextPort = 40000;
  #nextLink = 1;

  /** A transport on this network. */
  transport(): Transport {
    return {
      listen: (options, onLink) => this.#listen(options, onLink),
      dial: (url, options) => this.#dial(url, options),
    };
  }

  /** Closes every link to or from the listener at `port` abruptly (code 1006), frames in flight lost. */
  sever(port: number): void {
    for (const link of [...this.#links]) if (link.port === port) link.sever();
  }

  /** While on, links of the listener at `port` drop every frame in both directions but stay open. */
  blackhole(port: number, on = true): void {
    if (on) this.#blackholed.add(port);
    else this.#blackholed.delete(port);
  }

  /** @internal */
  isBlackholed(port: number): boolean {
    return this.#blackholed.size > 0 && this.#blackholed.has(port);
  }

  /** @internal */
  forget(link: MemoryLink): void {
    this.#links.delete(link);
  }

  /** Open links on this network (each link counts its two ends). */
  get openLinks(): number {
    return this.#links.size;
  }

  async #listen(options: TransportListenOptions, onLink: (link: Link) => void): Promise<TransportListener> {
    const port = options.port === 0 ? this.#nextPort++ : options.port;
    if (this.#listeners.has(port)) throw createError('TROUPE_ERR_NODE_DOWN', `memory port ${port} is already in use`);
    this.#listeners.set(port, { onLink, maxFrameBytes: options.maxFrameBytes });
    return {
      host: options.host,
      port,
      url: `memory://${options.host}:${port}`,
      close: async () => {
        this.#listeners.delete(port);
        for (const link of [...this.#links]) if (link.port === port) link.close(CloseCode.GOING_AWAY, 'listener closed');
      },
    };
  }

  async #dial(url: string, options: TransportDialOptions): Promise<Link> {
    const match = /^memory:\/\/[^:/]+:(\d+)$/.exec(url);
    if (match === null) throw createError('TROUPE_ERR_INVALID_OPTION', `not a memory:// URL: ${url}`);
    const port = Number(match[1]);
    const listener = this.#listeners.get(port);
    if (listener === undefined) {
      throw createError('TROUPE_ERR_NODE_DOWN', `connection refused: nothing listens on ${url}`, {
        cause: Object.assign(new Error(`connect ECONNREFUSED ${url}`), { code: 'ECONNREFUSED' }),
      });
    }
    const n = this.#nextLink++;
    const client = new MemoryLink(this, port, url, options.maxFrameBytes);
    const server = new MemoryLink(this, port, `memory-client#${n}`, listener.maxFrameBytes);
    client.peer = server;
    server.peer = client;
    this.#links.add(client);
    this.#links.add(server);
    listener.onLink(server);
    return client;
  }
}
