// The operations the lru-cache tests run on a cache of max 3, and what each observed cache must
// count for them. CommonJS without types, so that the jest tests and the services the module-hook
// tests start in child processes run the very same operations.

/** Runs the operations on `cache` (an LRUCache of any release from 7.18, with max 3). */
exports.exercise = (cache) => {
  cache.set('a', 1);
  cache.set('b', 1);
  cache.set('c', 1);
  cache.get('a'); // hit; b is now the least recently used
  cache.get('z'); // miss
  cache.set('d', 1); // add, evicts b
  cache.set('a', 1); // update
  cache.set('a', 2); // replace
  cache.has('b'); // miss
  cache.has('c'); // hit
  cache.peek('d'); // hit
  cache.delete('c'); // delete, not an eviction
  cache.delete('zz'); // a delete of nothing, counted as lru-cache publishes it
  cache.set('e', 1); // add
  cache.set('f', 1); // add, evicts d
  cache.set('g', 1); // add, evicts a
  cache.get('d'); // miss
};

/** `presize.lru.operations` by "operation result". */
exports.EXPECTED_OPERATIONS = {
  'set add': 7,
  'set update': 1,
  'set replace': 1,
  'get hit': 1,
  'get miss': 2,
  'has hit': 1,
  'has miss': 1,
  'peek hit': 1,
  'delete delete': 2,
};
exports.EXPECTED_EVICTIONS = 3;
/** Entries left, as `presize.lru.entries`; `presize.lru.max` is 3. */
exports.EXPECTED_ENTRIES = 3;
