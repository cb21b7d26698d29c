import { Dashboard } from '@/components/dashboard';

// Live data only: never prerender the cluster view.
export const dynamic = 'force-dynamic';

export default function HomePage() {
  return <Dashboard />;
}
