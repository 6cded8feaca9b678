/** Main's policy list without the request history: its serializer knows every model it meets. */
import type { Mapper } from '@azure/core-client';
import { LIST_MODELS } from '../../../../shared/azure/policyListSpecs';

/** Every `className` a mapper names, through sequences, dictionaries and nested composites. */
function classNames(mapper: Mapper, out = new Set<string>()): Set<string> {
  const type = mapper.type as {
    className?: string;
    modelProperties?: Record<string, Mapper>;
    element?: Mapper;
    value?: Mapper;
  };
  if (type.className && !out.has(type.className)) {
    out.add(type.className);
    const model = LIST_MODELS[type.className];
    if (model && model !== mapper) classNames(model, out);
  }
  for (const p of Object.values(type.modelProperties ?? {})) classNames(p, out);
  if (type.element) classNames(type.element, out);
  if (type.value) classNames(type.value, out);
  return out;
}

it('holds every model the policy list and its errors name, and the policy without its history', () => {
  const reached = [...classNames(LIST_MODELS.JitNetworkAccessPoliciesList as Mapper)].concat([
    ...classNames(LIST_MODELS.CloudError as Mapper),
  ]);
  expect(reached.filter((name) => !(name in LIST_MODELS))).toEqual([]);
  const policy = LIST_MODELS.JitNetworkAccessPolicy?.type.modelProperties ?? {};
  expect(Object.keys(policy)).toEqual(expect.arrayContaining(['virtualMachines', 'id', 'name', 'location']));
  expect(Object.keys(policy)).not.toContain('requests');
});
