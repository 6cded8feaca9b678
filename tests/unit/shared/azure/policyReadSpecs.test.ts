/** The policy reads that treat the request history apart: their serializers know every model they meet. */
import type { Mapper } from '@azure/core-client';
import {
  getWithRawHistory,
  listByResourceGroupWithoutHistory,
  READ_MODELS,
} from '../../../../shared/azure/policyReadSpecs';

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
    const model = READ_MODELS[type.className];
    if (model && model !== mapper) classNames(model, out);
  }
  for (const p of Object.values(type.modelProperties ?? {})) classNames(p, out);
  if (type.element) classNames(type.element, out);
  if (type.value) classNames(type.value, out);
  return out;
}

const bodyMappers = [listByResourceGroupWithoutHistory, getWithRawHistory].flatMap((spec) =>
  Object.values(spec.responses).flatMap((r) => (r.bodyMapper ? [r.bodyMapper] : [])),
);

it('holds every model the two reads and their errors name', () => {
  const reached = bodyMappers.flatMap((m) => [...classNames(m)]);
  expect(reached.filter((name) => !(name in READ_MODELS))).toEqual([]);
});

it('reads the list without the history and the single policy with it as JSON values', () => {
  const listed = READ_MODELS.JitNetworkAccessPolicy?.type.modelProperties ?? {};
  expect(Object.keys(listed)).toEqual(expect.arrayContaining(['virtualMachines', 'id', 'name', 'location']));
  expect(Object.keys(listed)).not.toContain('requests');
  const single = (
    getWithRawHistory.responses[200]?.bodyMapper?.type as { modelProperties?: Record<string, Mapper> }
  ).modelProperties;
  expect(Object.keys(single ?? {})).toEqual(expect.arrayContaining(['virtualMachines', 'requests', 'id']));
  expect(single?.requests).toEqual({
    serializedName: 'properties.requests',
    type: { name: 'Sequence', element: { type: { name: 'Object' } } },
  });
});
