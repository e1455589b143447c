/**
 * Remote spawn and stop, both ways: `spawnOn` asks a peer to start allowlisted logic, and the
 * peer's `spawn` and `stop` calls are served here. An actor spawned here for a parent on another
 * node gets an {@link OrphanGuard}, kept here per parent node.
 */
import { parseAddress, validateNodeId } from '../actors/address.js';
import type { BaseRef } from '../actors/ref.js';
import type { RemoteSpawnOptions } from '../actors/system-options.js';
import { errorToWire } from '../error-wire.js';
import { createError, type TroupeError } from '../errors.js';
import { Kind, reasonFromWire } from './envelope.js';
import type { PeerEndpoint as Endpoint, NodeContext } from './node-context.js';
import { OrphanGuard, type OrphanGuardHost } from './orphan-guard.js';

/** @internal */
export class RemoteCalls implements OrphanGuardHost {
  readonly #ctx: NodeContext;
  readonly #guards = new Map<string, Set<OrphanGuard>>();

  constructor(ctx: NodeContext) {
    this.#ctx = ctx;
  }

  get host() {
    return this.#ctx.host;
  }

  get orphanGraceMs(): number {
    return this.#ctx.options.orphanGraceMs;
  }

  /** Starts `logicName` from `node`'s allowlist there (or here, for this node); resolves with a ref to it. */
  async spawnOn(node: string, logicName: string, options: RemoteSpawnOptions): Promise<BaseRef> {
    const { host, options: network } = this.#ctx;
    validateNodeId(node);
    if (typeof logicName !== 'string') throw createError('TROUPE_ERR_INVALID_OPTION', 'spawnOn needs a logic name string');
    const parent = options.parent;
    if (parent !== undefined && !host.owns(parent)) {
      throw createError('TROUPE_ERR_NOT_LOCAL', `spawnOn's parent ${String(parent?.address)} must be an actor of this system`);
    }
    if (node === host.node) {
      const logic = network.logic.get(logicName);
      if (logic === undefined) throw notAllowed(logicName, node);
      return host.spawn(logic, { name: options.name, input: options.input, parent: parent as BaseRef | undefined });
    }
    const args = { logic: logicName, name: options.name, input: options.input, parent: parent?.address };
    const address = await this.#ctx.endpointFor(node).call('spawn', args, options.timeoutMs ?? host.askTimeoutMs);
    if (typeof address !== 'string') throw createError('TROUPE_ERR_PROTOCOL', `node ${node} answered a spawn without an address`);
    return host.ref(address);
  }

  /** Serves a control call from the peer of `endpoint` and answers it there. */
  serve(endpoint: Endpoint, id: number, op: unknown, args: unknown): void {
    const answer = (result: Promise<unknown>) =>
      result.then(
        (value) => endpoint.enqueue([Kind.RESULT, id, true, value]),
        (err: unknown) => endpoint.enqueue([Kind.RESULT, id, false, ...errorToWire(err)]),
      );
    if (op === 'spawn') answer(this.#serveSpawn(endpoint, args));
    else if (op === 'stop') answer(this.#serveStop(args));
    else {
      this.#ctx.report('frame-error', endpoint.node, `unknown call ${String(op).slice(0, 40)}`);
      answer(Promise.reject(createError('TROUPE_ERR_PROTOCOL', `unknown call ${String(op).slice(0, 40)}`)));
    }
  }

  async #serveSpawn(endpoint: Endpoint, args: unknown): Promise<string> {
    const { host, options } = this.#ctx;
    if (typeof args !== 'object' || args === null) throw createError('TROUPE_ERR_PROTOCOL', 'spawn needs arguments');
    const { logic: logicName, name, input, parent } = args as Record<string, unknown>;
    if (typeof logicName !== 'string') throw createError('TROUPE_ERR_PROTOCOL', 'spawn needs a logic name');
    const logic = options.logic.get(logicName);
    if (logic === undefined) {
      this.#ctx.report('refused', endpoint.node, `spawn of ${JSON.stringify(logicName.slice(0, 100))}: not in the logic allowlist`);
      throw notAllowed(logicName, host.node);
    }
    if (name !== undefined && typeof name !== 'string') throw createError('TROUPE_ERR_INVALID_NAME', 'a spawn name must be a string');
    if (parent !== undefined && (typeof parent !== 'string' || parseAddress(parent).node !== endpoint.node)) {
      throw createError('TROUPE_ERR_PROTOCOL', `a remote parent must be an actor of node ${endpoint.node}`);
    }
    const child = host.spawn(logic, { name, input });
    if (parent !== undefined) {
      const guard = new OrphanGuard(this, parent as string, endpoint.node, child);
      let guards = this.#guards.get(endpoint.node);
      if (guards === undefined) {
        guards = new Set();
        this.#guards.set(endpoint.node, guards);
      }
      guards.add(guard);
      guard.arm();
    }
    return child.address;
  }

  async #serveStop(args: unknown): Promise<null> {
    const { host } = this.#ctx;
    const { path, reason } = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
    if (typeof path !== 'string') throw createError('TROUPE_ERR_PROTOCOL', 'stop needs a path');
    const r = reasonFromWire(reason);
    const target = host.resolve(path);
    if (target === undefined) return null;
    await host.stop(host.ref(target.address), r === 'noproc' ? 'shutdown' : r);
    return null;
  }

  /** The link to `node` is up again: its guards end their grace periods. */
  linkUp(node: string): void {
    const guards = this.#guards.get(node);
    if (guards !== undefined) for (const g of [...guards]) g.linkUp();
  }

  /** True while actors spawned here have a parent on `node`. */
  guards(node: string): boolean {
    return this.#guards.has(node);
  }

  /** Actors spawned here whose parent lives on `node`. */
  orphanGuards(node: string): readonly OrphanGuard[] {
    return [...(this.#guards.get(node) ?? [])];
  }

  _guardDone(guard: OrphanGuard): void {
    const guards = this.#guards.get(guard.node);
    guards?.delete(guard);
    if (guards?.size === 0) this.#guards.delete(guard.node);
  }
}

function notAllowed(logicName: string, node: string): TroupeError {
  return createError('TROUPE_ERR_NOT_ALLOWED', `logic ${JSON.stringify(logicName.slice(0, 100))} is not in node ${node}'s logic allowlist`);
}
