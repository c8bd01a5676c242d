// Ed25519 verification (RFC 8032) for the page (spec/web.md §2): WebCrypto's Ed25519 where the
// browser has it (Chromium, Node 20), else the bundled @noble/curves ed25519. A key that is not
// a usable point, or a signature of the wrong size, is a failed verification, never an error.
import { ed25519 } from '@noble/curves/ed25519.js';

let webCrypto = typeof crypto !== 'undefined' && crypto.subtle ? null : false;

/** Which implementation verified the last signature: 'WebCrypto' or '@noble/curves'. */
export function ed25519Implementation() {
  return webCrypto === false ? '@noble/curves' : 'WebCrypto';
}

export async function ed25519Verify(publicKey, message, signature) {
  if (!publicKey || publicKey.length !== 32 || !signature || signature.length !== 64) return false;
  if (webCrypto !== false) {
    try {
      const key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
      webCrypto = true;
      return await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message);
    } catch (e) {
      // An unsupported algorithm turns WebCrypto off; a key that is not a point is a failure.
      if (webCrypto === true) return false;
      webCrypto = false;
    }
  }
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
