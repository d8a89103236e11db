import { describe, expect, it } from 'vitest';
import { getPath, LinkFollower, nextFromLinkHeader, setParams } from './paging.ts';
import { parseInstant, WatermarkTracker } from './watermark.ts';

describe('getPath', () => {
  const body = {
    d: { results: [1], __next: 'n' },
    '@odata.nextLink': 'v4',
    'a.b': { c: 1 },
    a: { b: { d: 2 } },
  };
  it('reads dotted paths, keys with dots and the body itself', () => {
    expect(getPath(body, 'd.results')).toEqual([1]);
    expect(getPath(body, 'd.__next')).toBe('n');
    expect(getPath(body, '@odata.nextLink')).toBe('v4');
    expect(getPath(body, 'a.b.c')).toBe(1);
    expect(getPath(body, 'a.b.d')).toBe(2);
    expect(getPath(body, '')).toBe(body);
    expect(getPath(body, 'd.missing')).toBeUndefined();
    expect(getPath([1, 2], '0')).toBeUndefined();
  });
});

describe('nextFromLinkHeader', () => {
  it('finds rel="next" among ServiceNow-style links', () => {
    const header =
      '<https://acme.service-now.com/api/now/table/sys_user?sysparm_limit=2&sysparm_offset=0>;rel="first",' +
      '<https://acme.service-now.com/api/now/table/sys_user?sysparm_limit=2&sysparm_offset=2>;rel="next",' +
      '<https://acme.service-now.com/api/now/table/sys_user?sysparm_limit=2&sysparm_offset=8>;rel="last"';
    expect(nextFromLinkHeader(header)).toBe(
      'https://acme.service-now.com/api/now/table/sys_user?sysparm_limit=2&sysparm_offset=2',
    );
  });
  it('handles unquoted, multi-valued rels and commas inside URIs', () => {
    expect(nextFromLinkHeader('</a?x=1,2>; rel=next')).toBe('/a?x=1,2');
    expect(nextFromLinkHeader('</p>; rel="prev", </n>; title="x"; rel="next last"')).toBe('/n');
    expect(nextFromLinkHeader('</p>; rel="prev"')).toBeNull();
    expect(nextFromLinkHeader(null)).toBeNull();
  });
});

describe('LinkFollower', () => {
  it('resolves relative links and refuses loops and other origins', () => {
    const follower = new LinkFollower('https://h.example/api/v1/workers?$top=2');
    expect(follower.next('workers?$skiptoken=2', 'https://h.example/api/v1/workers?$top=2')).toBe(
      'https://h.example/api/v1/workers?$skiptoken=2',
    );
    expect(follower.next(null, 'https://h.example/x')).toBeNull();
    expect(() => follower.next('/api/v1/workers?$top=2', 'https://h.example/api/v1/x')).toThrow(
      /paging loop/,
    );
    expect(() => follower.next('https://other.example/p', 'https://h.example/x')).toThrow(/refusing/);
    expect(() => follower.next(42, 'https://h.example/x')).toThrow(/not a string/);
  });
});

describe('setParams', () => {
  it('replaces and appends parameters, keeping $ and encoding spaces as %20', () => {
    expect(setParams('https://h/x?$format=json&a=1', { a: '2', $filter: "name eq 'A B'" })).toBe(
      "https://h/x?$format=json&a=2&$filter=name%20eq%20'A%20B'",
    );
    expect(setParams('https://h/x', {})).toBe('https://h/x');
    expect(setParams('https://h/x?q=a%26b', { n: '1+1' })).toBe('https://h/x?q=a%26b&n=1%2B1');
  });
});

describe('parseInstant', () => {
  it('reads the formats HR sources use', () => {
    const t = Date.UTC(2024, 2, 1, 10, 0, 0);
    expect(parseInstant('2024-03-01T10:00:00Z')).toBe(t);
    expect(parseInstant('2024-03-01T11:00:00+01:00')).toBe(t);
    expect(parseInstant('2024-03-01T11:00:00+0100')).toBe(t);
    expect(parseInstant('2024-03-01 10:00:00')).toBe(t);
    expect(parseInstant('2024-03-01T10:00:00.000-00:00')).toBe(t);
    expect(parseInstant(`/Date(${t})/`)).toBe(t);
    expect(parseInstant(`/Date(${t}+0000)/`)).toBe(t);
    expect(parseInstant(t)).toBe(t);
    expect(parseInstant(t / 1000)).toBe(t);
    expect(parseInstant('2024-03-01')).toBe(Date.UTC(2024, 2, 1));
    expect(parseInstant('March 1')).toBeNull();
    expect(parseInstant('2024-02-30T00:00:00Z')).toBeNull();
    expect(parseInstant(null)).toBeNull();
  });
});

describe('WatermarkTracker', () => {
  it('keeps the latest instant at or before the cap, in its original spelling', () => {
    const cap = Date.parse('2024-03-10T00:00:00Z');
    const tracker = new WatermarkTracker('2024-03-01T00:00:00Z', Date.parse('2024-03-01T00:00:00Z'), cap);
    tracker.observe('2024-03-05T09:00:00+02:00');
    tracker.observe('2024-03-05T08:00:00Z');
    tracker.observe('2024-03-11T00:00:00Z');
    tracker.observe('not a date');
    expect(tracker.result()).toBe('2024-03-05T08:00:00Z');
    expect(tracker.heldBack).toBe(1);
  });
  it('never moves back before the previous watermark', () => {
    const tracker = new WatermarkTracker(
      '2024-03-05T00:00:00Z',
      Date.parse('2024-03-05T00:00:00Z'),
      Infinity,
    );
    tracker.observe('2024-03-01T00:00:00Z');
    expect(tracker.result()).toBe('2024-03-05T00:00:00Z');
    expect(new WatermarkTracker(null, null, Infinity).result()).toBeNull();
  });
});
