import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The mutual challenge–response both ends of a new link run before anything else. The listener
 * sends a nonce; the dialer answers with its own nonce and an HMAC-SHA256 proof over both nonces
 * and both node ids; the listener checks it and answers with its own proof. Each side thereby shows
 * it knows the shared secret without sending it, and a recorded exchange cannot be replayed
 * (fresh nonces). Without TLS the frames after the handshake are not protected: use `wss` on
 * untrusted networks.
 */

/** Bytes of each nonce. */
export const NONCE_BYTES = 32;

/** Which side of the handshake a proof comes from; part of the signed text so proofs are not interchangeable. */
export type HandshakeRole = 'dialer' | 'listener';

/** What both proofs sign. */
export interface HandshakeTranscript {
  dialerNode: string;
  listenerNode: string;
  dialerNonce: Uint8Array;
  listenerNonce: Uint8Array;
}

/** A fresh random nonce. */
export function createNonce(): Uint8Array {
  return randomBytes(NONCE_BYTES);
}

/** The proof `role` sends: HMAC-SHA256 over the role, both node ids and both nonces. */
export function createProof(secret: string, role: HandshakeRole, t: HandshakeTranscript): Uint8Array {
  const hmac = createHmac('sha256', secret);
  hmac.update(`troupe/1\0${role}\0${t.dialerNode}\0${t.listenerNode}\0`);
  hmac.update(t.dialerNonce);
  hmac.update(t.listenerNonce);
  return hmac.digest();
}

/** Checks a received proof in constant time. */
export function verifyProof(secret: string, role: HandshakeRole, t: HandshakeTranscript, proof: unknown): boolean {
  if (!(proof instanceof Uint8Array)) return false;
  const expected = createProof(secret, role, t);
  return proof.byteLength === expected.byteLength && timingSafeEqual(proof, expected);
}

/** True for a nonce of the right shape. */
export function isNonce(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength === NONCE_BYTES;
}
