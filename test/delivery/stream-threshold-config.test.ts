/** METER_STREAM_THRESHOLD (docs/configuration.md): absent when unset or 1,000, a whole number ≥ 1 when set, refused otherwise. */
import { expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/parse-config.ts';

it('is absent when unset or at its default, and taken as a whole number of calls', () => {
  expect(parseConfig({}).meterStreamThreshold).toBeUndefined();
  expect(parseConfig({ METER_STREAM_THRESHOLD: '1000' }).meterStreamThreshold).toBeUndefined();
  expect(parseConfig({ METER_STREAM_THRESHOLD: '250' }).meterStreamThreshold).toBe(250);
});

it('refuses anything but a whole number ≥ 1, naming the variable and not the value', () => {
  for (const bad of ['0', '-5', '1.5', 'many', '1e3']) {
    expect(() => parseConfig({ METER_STREAM_THRESHOLD: bad })).toThrow(ConfigError);
    expect(() => parseConfig({ METER_STREAM_THRESHOLD: bad })).toThrow(/METER_STREAM_THRESHOLD must be a whole number/);
  }
});
