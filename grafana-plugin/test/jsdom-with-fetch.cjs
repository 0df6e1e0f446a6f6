// jsdom for @grafana/data (it reads window at import), plus Node's fetch, which jsdom's
// environment leaves out, for the tests that talk to a real Prometheus on 127.0.0.1.
const { TestEnvironment } = require('jest-environment-jsdom');

class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    Object.assign(this.global, { fetch, Request, Response, Headers, AbortSignal, AbortController });
  }
}

module.exports = JsdomWithFetch;
