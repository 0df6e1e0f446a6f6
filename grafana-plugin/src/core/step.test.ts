import { chooseStep } from './step';

describe('range query step', () => {
  it("uses Grafana's interval when the points fit", () => {
    expect(chooseStep(3600_000, 15_000, 1000)).toBe(15);
  });
  it('widens the step to the panel width', () => {
    expect(chooseStep(86_400_000, 1000, 500)).toBe(173);
  });
  it('never asks Prometheus for more than 11,000 points or a step under a second', () => {
    expect(chooseStep(30 * 86_400_000, 0, 0)).toBe(236);
    expect(chooseStep(10_000, 100, 1000)).toBe(1);
  });
});
