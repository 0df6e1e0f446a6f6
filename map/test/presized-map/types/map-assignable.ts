// Compiled by types.test.ts with the package's compiler options: a PresizedMap must stay usable
// wherever a Map is expected. Every line marked @ts-expect-error must keep failing to compile.
import { PresizedMap } from '../../../src/presized-map.js';

export const asMap: Map<string, number> = new PresizedMap<string, number>();
export const asReadonlyMap: ReadonlyMap<number, string[]> = new PresizedMap<number, string[]>({ hint: 5000 });
export const mixedKeys: Map<string | number, boolean> = new PresizedMap<string | number, boolean>({ seed: 1 });

export function acceptsMap(map: Map<string, number>): MapIterator<[string, number]> {
  map.forEach((value, key, self) => self.set(key, value + 1));
  return map.entries();
}
acceptsMap(new PresizedMap<string, number>({ name: 'typed' }).set('a', 1));

const chained: PresizedMap<string, number> = new PresizedMap<string, number>().set('a', 1);
export const keys: MapIterator<string> = chained.keys();
export const tag: string = chained[Symbol.toStringTag];

// @ts-expect-error keys are strings or numbers only
export const objectKeys = new PresizedMap<object, number>();
// @ts-expect-error the key type must match
export const wrongKeys: Map<string, number> = new PresizedMap<number, number>();
// @ts-expect-error the value type must match
export const wrongValues: Map<string, number> = new PresizedMap<string, string>();
