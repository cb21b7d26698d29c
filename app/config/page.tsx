import { ConfigView } from '@/components/config/config-view';

// Live data only: never prerender the cluster views.
export const dynamic = 'force-dynamic';

export default function Page() {
  return <ConfigView />;
}
