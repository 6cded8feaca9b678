import { nameFromId } from '../../../../shared/azure/resourceId';
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
