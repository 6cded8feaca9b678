import { groupById, nameFromId, normalizeId, sameResourceId } from '../../../../shared/azure/resourceId';
import { isGuid } from '../../../../shared/guid';

describe('nameFromId', () => {
  it('takes the last segment of an ID, ignoring a trailing slash', () => {
    const nsg =
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/web-nsg';
    expect(nameFromId(nsg)).toBe('web-nsg');
    expect(nameFromId(`${nsg}/`)).toBe('web-nsg');
    expect(nameFromId('plain')).toBe('plain');
  });
});

describe('normalizeId and sameResourceId', () => {
  const vm = '/subscriptions/S/resourceGroups/RG-Web/providers/Microsoft.Compute/virtualMachines/Web-01';

  it('lower-cases and drops every trailing slash, and nothing else', () => {
    expect(normalizeId(vm)).toBe(vm.toLowerCase());
    expect(normalizeId(`${vm}/`)).toBe(vm.toLowerCase());
    expect(normalizeId(`${vm}///`)).toBe(vm.toLowerCase());
    expect(normalizeId('/')).toBe('');
    expect(normalizeId('a//b')).toBe('a//b');
  });

  it('treats IDs that differ in case or a trailing slash as one resource, and no others', () => {
    expect(sameResourceId(vm, `${vm.toUpperCase()}/`)).toBe(true);
    expect(sameResourceId(vm, `${vm}2`)).toBe(false);
    expect(sameResourceId(vm, undefined)).toBe(false);
    expect(sameResourceId(undefined, undefined)).toBe(false);
  });
});

describe('groupById', () => {
  it('groups items by normalized ID in their order and leaves out items without one', () => {
    const items = [
      { id: '/x/A', n: 1 },
      { id: undefined, n: 2 },
      { id: '/x/b', n: 3 },
      { id: '/X/a/', n: 4 },
    ];
    const groups = groupById(items, (i) => i.id);
    expect([...groups.keys()]).toEqual(['/x/a', '/x/b']);
    expect(groups.get('/x/a')?.map((i) => i.n)).toEqual([1, 4]);
    expect(groups.get('/x/b')?.map((i) => i.n)).toEqual([3]);
  });
});

describe('isGuid', () => {
  it.each(['00000000-0000-0000-0000-000000000000', 'A1B2C3D4-1111-4A5B-8C9D-0E1F2A3B4C5D'])(
    'accepts %s',
    (g) => expect(isGuid(g)).toBe(true),
  );
  it.each([
    '',
    'not-a-guid',
    '{00000000-0000-0000-0000-000000000000}',
    '00000000-0000-0000-0000-00000000000',
  ])('refuses %j', (g) => expect(isGuid(g)).toBe(false));
});
