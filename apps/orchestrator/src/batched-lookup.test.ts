import { BatchedLookup } from './batched-lookup.ts';

describe('BatchedLookup', () => {
  it('answers the lookups of one turn with one fetch, each with its own value', async () => {
    const fetches: number[][] = [];
    const lookup = new BatchedLookup<number, string>(async (keys) => {
      fetches.push(keys);
      return new Map(keys.map((k) => [k, `value ${k}`]));
    });
    expect(await Promise.all([lookup.load(1), lookup.load(2), lookup.load(1)])).toEqual([
      'value 1',
      'value 2',
      'value 1',
    ]);
    expect(await lookup.load(3)).toBe('value 3');
    expect(fetches).toEqual([[1, 2], [3]]);
  });

  it('fails every lookup of the batch when the fetch fails, and a missing key alone', async () => {
    let fail = true;
    const lookup = new BatchedLookup<number, string>(async (keys) => {
      if (fail) throw new Error('database down');
      return new Map(keys.filter((k) => k !== 9).map((k) => [k, 'x']));
    });
    await expect(Promise.all([lookup.load(1), lookup.load(2)])).rejects.toThrow('database down');
    fail = false;
    const [found, missing] = await Promise.allSettled([lookup.load(1), lookup.load(9)]);
    expect(found).toEqual({ status: 'fulfilled', value: 'x' });
    expect(missing).toMatchObject({ status: 'rejected' });
  });
});
