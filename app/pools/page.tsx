import { PoolsView } from '@/components/pools/pools-view';

// Live data only: never prerender the cluster views.
export const dynamic = 'force-dynamic';

export default function Page() {
  return <PoolsView />;
}
