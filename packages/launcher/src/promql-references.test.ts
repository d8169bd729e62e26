import { promqlReferences } from './promql-references.ts';

describe('promqlReferences', () => {
  it('finds the histogram behind histogram_quantile, rate and sum by', () => {
    expect(
      promqlReferences(
        'histogram_quantile(0.95, sum by (le, route) (rate(cronium_http_request_duration_seconds_bucket{service="runtime-api"}[$__rate_interval])))',
      ),
    ).toEqual({
      selectors: [
        {
          metric: 'cronium_http_request_duration_seconds_bucket',
          matchers: [{ label: 'service', op: '=', value: 'runtime-api' }],
        },
      ],
      groupingLabels: ['le', 'route'],
    });
  });

  it('finds both sides of a binary expression, and grouping after the aggregation', () => {
    expect(
      promqlReferences(
        'sum(rate(x_sum[5m])) by (target) / on (target) sum(rate(x_count[5m])) by (target) > 0.5',
      ),
    ).toEqual({
      selectors: [
        { metric: 'x_sum', matchers: [] },
        { metric: 'x_count', matchers: [] },
      ],
      groupingLabels: ['target', 'target', 'target'],
    });
  });

  it('reads several matchers, regex operators and bare selectors', () => {
    expect(promqlReferences(`up{job="cronium", process=~"web|ws"} == 0 or absent(up)`)).toEqual({
      selectors: [
        {
          metric: 'up',
          matchers: [
            { label: 'job', op: '=', value: 'cronium' },
            { label: 'process', op: '=~', value: 'web|ws' },
          ],
        },
        { metric: 'up', matchers: [] },
      ],
      groupingLabels: [],
    });
  });

  it('refuses what it cannot read instead of guessing', () => {
    expect(() => promqlReferences('sum(x{service=web})')).toThrow(/label matchers of x/);
    expect(() => promqlReferences('rate(x[5m]) # comment')).toThrow(/cannot read PromQL/);
  });
});
