// Preloaded (--require) by the fleet bench, which runs the Grafana datasource in Node as the
// integration tests run it under jsdom: @grafana/data and @grafana/ui read `window` and
// `navigator` when imported, and require stylesheets, which only a bundler can load.
const { JSDOM } = require('jsdom');

const { window } = new JSDOM('', { url: 'http://127.0.0.1/' });
// What the window has and Node lacks, as jest's jsdom environment provides it.
for (const key of Object.getOwnPropertyNames(window)) {
  if (!(key in globalThis) || ['Event', 'CustomEvent', 'EventTarget'].includes(key))
    Object.defineProperty(globalThis, key, { value: window[key], configurable: true, writable: true });
}
if (!('window' in globalThis)) globalThis.window = window;
// jsdom has no media queries; nothing here renders.
const noMedia = () => ({
  matches: false,
  media: '',
  addListener() {},
  removeListener() {},
  addEventListener() {},
  removeEventListener() {},
});
globalThis.matchMedia = window.matchMedia = noMedia;
require.extensions['.css'] = (module) => {
  module.exports = {};
};
// Nor IntersectionObserver, which @grafana/scenes constructs when imported; nothing is laid out here.
globalThis.IntersectionObserver = class {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
};
