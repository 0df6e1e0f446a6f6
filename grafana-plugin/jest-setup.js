// Grafana's scaffolded setup (jest-dom matchers, browser stubs) for the jsdom tests; the
// integration tests run in Node's environment, where there is no DOM to set up.
if (typeof window !== 'undefined') {
  require('./.config/jest-setup');

  // jsdom has no layout, so no IntersectionObserver; @grafana/ui's menus create one to draw scroll shadows.
  class NoLayoutIntersectionObserver {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  }
  Object.assign(global, { IntersectionObserver: NoLayoutIntersectionObserver });
}
