import { pickerOptions } from './picker-options.ts';

const found = [
  { id: 1, name: 'Nightly report' },
  { id: 2, name: 'Cleanup' },
  { id: 3, name: 'Ping API' },
];

describe('pickerOptions', () => {
  it('offers what the search found, by id as text and named, without the excluded one', () => {
    expect(pickerOptions(found, null, null, 2)).toEqual([
      { value: '1', label: 'Nightly report' },
      { value: '3', label: 'Ping API' },
    ]);
  });

  it('keeps the chosen item first when the search does not list it', () => {
    const chosen = { value: '9', label: 'Sync users' };
    expect(pickerOptions(found, chosen, '9')).toEqual([
      chosen,
      { value: '1', label: 'Nightly report' },
      { value: '2', label: 'Cleanup' },
      { value: '3', label: 'Ping API' },
    ]);
  });

  it('lists the chosen item once when the search found it too', () => {
    const options = pickerOptions(found, { value: '2', label: 'Cleanup' }, '2');
    expect(options.map((o) => o.value)).toEqual(['1', '2', '3']);
  });

  it('adds no stale choice once the value was cleared or changed elsewhere', () => {
    const chosen = { value: '9', label: 'Sync users' };
    expect(pickerOptions(found, chosen, null)).toHaveLength(3);
    expect(pickerOptions(found, chosen, '1')).toHaveLength(3);
  });
});
