// The map's string and number hash as it was before the keyed hash (seed only in the starting
// state, one multiply and a xorshift per lane and round), kept as the baseline of
// bench/map-hash.bench.mjs. Families of keys share one 64-bit hash under every seed of this hash:
// never use it for a map.
const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;

let high = 0;
const floatView = new Float64Array(1);
const wordView = new Uint32Array(floatView.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LOW_WORD = littleEndian ? 0 : 1;
const HIGH_WORD = littleEndian ? 1 : 0;

export function previousHashHigh() {
  return high;
}

function finalMix(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function hashString(s, seed) {
  const n = s.length;
  let a = (seed ^ PRIME3) + n;
  let b = Math.imul(seed ^ n, PRIME1) ^ PRIME4;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    a = Math.imul(a ^ (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)), PRIME1);
    a ^= a >>> 15;
    b = Math.imul(b ^ (s.charCodeAt(i + 2) | (s.charCodeAt(i + 3) << 16)), PRIME2);
    b ^= b >>> 15;
  }
  if (i < n) {
    let tail = s.charCodeAt(i);
    if (i + 1 < n) tail |= s.charCodeAt(i + 1) << 16;
    a = a + Math.imul(tail, PRIME3);
    a = Math.imul((a << 17) | (a >>> 15), PRIME4);
    if (i + 2 < n) {
      b = b + Math.imul(s.charCodeAt(i + 2), PRIME3);
      b = Math.imul((b << 17) | (b >>> 15), PRIME4);
    }
  }
  high = finalMix(b ^ Math.imul((a << 11) | (a >>> 21), PRIME4));
  return finalMix(a ^ Math.imul((b << 16) | (b >>> 16), PRIME2));
}

function hashNumber(x, seed) {
  let w0;
  let w1;
  if ((x | 0) === x) {
    w0 = x | 0;
    w1 = 0x7ff00001;
  } else if (x === x) {
    floatView[0] = x;
    w0 = wordView[LOW_WORD];
    w1 = wordView[HIGH_WORD];
  } else {
    w0 = 0;
    w1 = 0x7ff80000;
  }
  high = finalMix(Math.imul(w1 ^ seed, PRIME3) + Math.imul(w0 + seed, PRIME4));
  return finalMix(Math.imul(w0 ^ seed, PRIME1) ^ Math.imul(w1 + seed, PRIME2));
}

/** Same call shape as the current `hashKey` (the second key word is unused): the key type picks the function. */
export function previousHashKey(key, seed, _unused) {
  return typeof key === 'string' ? hashString(key, seed) : hashNumber(key, seed);
}
