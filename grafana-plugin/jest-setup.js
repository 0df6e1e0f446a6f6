// Grafana's scaffolded setup (jest-dom matchers, browser stubs) for the jsdom tests; the
// integration tests run in Node's environment, where there is no DOM to set up.

// i18next (under @grafana/i18n) prints an advertisement on its first init in every test file.
process.env.I18NEXT_NO_SUPPORT_NOTICE = '1';

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
