/** The plain `Map` operations the model tests share: applied to the map under test and to a native `Map`. */
export type MapOp<K> =
  { kind: 'set'; key: K; value: number } | { kind: 'get' | 'has' | 'delete'; key: K } | { kind: 'clear' };

/** Applies `op` to both maps and expects the map under test to answer as the native one does. */
export function applyToBoth<K>(map: Map<K, number>, model: Map<K, number>, op: MapOp<K>): void {
  switch (op.kind) {
    case 'set':
      expect(map.set(op.key, op.value)).toBe(map);
      model.set(op.key, op.value);
      break;
    case 'get':
    case 'has':
      // Both answers for either: a present key must be found by both paths, an absent one by neither.
      expect(map.get(op.key)).toBe(model.get(op.key));
      expect(map.has(op.key)).toBe(model.has(op.key));
      break;
    case 'delete':
      expect(map.delete(op.key)).toBe(model.delete(op.key));
      break;
    case 'clear':
      map.clear();
      model.clear();
      break;
  }
}

/** Every entry of the model is found in the map under test by `get` and by `has`, with its value. */
export function readsBack<K>(map: Map<K, number>, model: Map<K, number>): void {
  const wrong: K[] = [];
  for (const [key, value] of model) {
    if (!Object.is(map.get(key), value) || !map.has(key)) wrong.push(key);
  }
  expect(wrong).toEqual([]);
}
