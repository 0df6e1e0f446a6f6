// Compiles methods of the package's classes, drops every instance the script made, runs full
// collections, and prints which of those methods still have compiled code. A class of the
// script's own goes through the same steps, to show that the running V8 does throw away the code
// of a class none of whose instances is left. Run with --expose-gc --allow-natives-syntax.
const { PresizedMap, ShardedMap, BoundedList, appendBounded } = require('@presize/map');

// V8's own test hooks, compiled at run time so that this file parses without the flag.
const prepare = new Function('f', '%PrepareFunctionForOptimization(f)');
const optimizeOnNextCall = new Function('f', '%OptimizeFunctionOnNextCall(f)');
const status = new Function('f', 'return %GetOptimizationStatus(f)');
const neverOptimize = new Function('f', '%NeverOptimizeFunction(f)');
const OPTIMIZED = 1 << 4;

class Tally {
  constructor() {
    this.total = 0;
  }
  add(x) {
    this.total += x;
    return this.total;
  }
}

const presizedIterator = Object.getPrototypeOf(new PresizedMap().keys());
const methods = {
  'control: Tally#add': Tally.prototype.add,
  'PresizedMap#set': PresizedMap.prototype.set,
  'PresizedMap#get': PresizedMap.prototype.get,
  'PresizedMap#delete': PresizedMap.prototype.delete,
  'PresizedMap iterator#next': presizedIterator.next,
  'ShardedMap#set': ShardedMap.prototype.set,
  'ShardedMap#get': ShardedMap.prototype.get,
  'ShardedMap iterator#next': Object.getPrototypeOf(new ShardedMap().entries()).next,
  'BoundedList#push': BoundedList.prototype.push,
  'BoundedList#[Symbol.iterator]': BoundedList.prototype[Symbol.iterator],
  'BoundedList iterator#next': Object.getPrototypeOf(new BoundedList(1)[Symbol.iterator]()).next,
  appendBounded,
};

// Everything the workload builds stays in `held` until the check, so that no class loses its
// instances (and its code) while the methods are being compiled.
const held = [];

function workload() {
  let sum = 0;
  const tally = new Tally();
  for (let i = 0; i < 1000; i++) sum += tally.add(i);
  const map = new PresizedMap();
  for (let i = 0; i < 5000; i++) map.set(`k${i}`, i);
  for (let i = 0; i < 5000; i++) sum += map.get(`k${i}`);
  for (let i = 0; i < 5000; i += 2) map.delete(`k${i}`);
  for (const key of map.keys()) sum += key.length;
  const sharded = new ShardedMap({ hint: 5000 });
  for (let i = 0; i < 5000; i++) sharded.set(`s${i}`, i);
  for (let i = 0; i < 5000; i++) sum += sharded.get(`s${i}`);
  for (const [, value] of sharded.entries()) sum += value;
  const lists = new PresizedMap({ hint: 100 });
  for (let i = 0; i < 5000; i++) appendBounded(lists, `d${i % 100}`, i, 10);
  for (const list of lists.values()) for (const value of list) sum += value;
  const list = new BoundedList(10);
  for (let i = 0; i < 100; i++) list.push(i);
  held.push(tally, map, sharded, lists, list);
  return sum;
}

// Interpreted, so that it calls each method rather than inlining it: a method asked to be
// optimised is compiled at its next call.
neverOptimize(workload);
for (const fn of Object.values(methods)) prepare(fn);
workload();
workload();
const compiled = (fn) => (status(fn) & OPTIMIZED) !== 0;
// A method inlined into an optimised caller is not called on its own, and one may be deoptimised
// by feedback the next round brings: ask again for those until each has code of its own.
for (let round = 0; round < 20; round++) {
  const waiting = Object.values(methods).filter((fn) => !compiled(fn));
  if (waiting.length === 0) break;
  for (const fn of waiting) optimizeOnNextCall(fn);
  workload();
}
const before = Object.fromEntries(Object.entries(methods).map(([name, fn]) => [name, compiled(fn)]));
held.length = 0;
gc();
gc();
const after = Object.fromEntries(Object.entries(methods).map(([name, fn]) => [name, compiled(fn)]));
console.log(JSON.stringify({ before, after }));
