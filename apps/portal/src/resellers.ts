import { client, fetchAll, ok } from './api';
import { useAsync } from './components/ui';
import type { Reseller } from './contract';
import { useSession } from './session';

const NONE: Reseller[] = [];

/** Distributor staff: every reseller, to name them and filter by them. Reseller users: their own. */
export function useResellers() {
  const { me, reseller } = useSession();
  const distributor = me?.resellerId === null;
  const res = useAsync(
    async () =>
      distributor
        ? (await fetchAll((page, pageSize) => ok(client.GET('/api/v1/resellers', { params: { query: { page, pageSize } } })))).items
        : reseller
          ? [reseller]
          : [],
    [distributor, reseller],
  );
  const byId = new Map((res.data ?? NONE).map((r) => [r.id, r]));
  return {
    ...res,
    list: res.data ?? NONE,
    name: (id: string) => byId.get(id)?.name ?? id.slice(0, 8),
    distributor,
  };
}
