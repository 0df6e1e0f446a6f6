// Fills a map hinted for 5,000 keys with 60,000 string keys, reading each back after its insert,
// as a service meeting more devices than it was sized for: the map doubles four times, the fourth
// time (B 13 -> 14) rehashing keys whose split bits ran out, long after V8 has optimised its insert
// and its evacuation; then half of the keys are deleted and set again. Run with
// --trace-deopt-verbose: V8 prints every deoptimisation and where it happened, and the test reads
// them. Prints the map's size and growths on its last line.
const { PresizedMap } = require('@presize/map');

const KEYS = 60_000;
const keys = Array.from(
  { length: KEYS },
  (_, i) => `dev_${(Math.imul(i, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}`,
);
// Devices arrive in no particular order: a fixed shuffle.
for (let i = KEYS - 1, state = 7; i > 0; i--) {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  const j = state % (i + 1);
  [keys[i], keys[j]] = [keys[j], keys[i]];
}
const map = new PresizedMap({ hint: 5000, name: 'device-logs' });
for (let i = 0; i < KEYS; i++) {
  map.set(keys[i], i);
  if (map.get(keys[i]) !== i) throw new Error(`lost ${keys[i]}`);
}
// Then the devices of every other key leave and come back: the deletes' paths, and inserts that
// reuse the freed entries.
for (let i = 0; i < KEYS; i += 2) if (!map.delete(keys[i])) throw new Error(`could not delete ${keys[i]}`);
for (let i = 0; i < KEYS; i += 2) map.set(keys[i], i);
console.log(JSON.stringify({ size: map.size, growths: map.stats().growths }));
