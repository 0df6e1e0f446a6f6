import { millisToHrTime } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import {
  CUMULATIVE,
  GAUGE_POINTS,
  HISTOGRAM_POINTS,
  PRODUCER_RESOURCE,
  SUM_POINTS,
  hrTimeFromMillis,
} from '../src/metric-producer-data';

describe('metric producer data written without the SDK', () => {
  it('uses the values of the SDK enums', () => {
    expect(CUMULATIVE).toBe(AggregationTemporality.CUMULATIVE);
    expect([HISTOGRAM_POINTS, GAUGE_POINTS, SUM_POINTS]).toEqual([
      DataPointType.HISTOGRAM,
      DataPointType.GAUGE,
      DataPointType.SUM,
    ]);
  });

  it('converts epoch milliseconds as the SDK does', () => {
    for (const millis of [0, 1, 999.9999999, 1_764_806_400_123.456789, Date.now()]) {
      expect(hrTimeFromMillis(millis)).toEqual(millisToHrTime(millis));
    }
  });

  it('has an empty resource that merges into the other one', () => {
    const other = resourceFromAttributes({ 'service.name': 'device-logs' });
    expect(PRODUCER_RESOURCE.attributes).toEqual({});
    expect(PRODUCER_RESOURCE.merge(other)).toBe(other);
    expect(PRODUCER_RESOURCE.merge(null)).toBe(PRODUCER_RESOURCE);
  });
});
