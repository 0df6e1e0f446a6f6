// BoundedList with the iterator it had before, a generator, kept as the baseline of
// bench/bounded-list-iteration.bench.mjs: the same walk over the same ring buffer, but a generator
// allocates itself and a result object for every value it yields.
import { BoundedList } from '@presize/map';

export class GeneratorBoundedList extends BoundedList {
  *[Symbol.iterator]() {
    let seq = this.pushed - this.count;
    for (;;) {
      const oldest = this.pushed - this.count;
      if (seq < oldest) seq = oldest;
      if (seq >= this.pushed) return;
      yield this.slots[seq % this.capacity];
      seq++;
    }
  }
}
