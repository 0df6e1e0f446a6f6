// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

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
